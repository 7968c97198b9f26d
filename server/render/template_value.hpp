#pragma once
// What a template reads: text, true or false, an object of named values, or a list. Built by
// render::view; read by the template engine.
//
// Objects keep their fields in a vector searched in order: a template's object has a handful
// of short names, and a linear search of them is cheaper than hashing (kainjow's model used an
// unordered_map per object; building and freeing those was a fifth of the inbox page).
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace peerdesk::render::engine {

struct field;

struct value {
    enum class kind : std::uint8_t { falsy, truthy, text, object, list };

    kind type = kind::object;
    std::string text;           // kind::text
    std::vector<field> fields;  // kind::object, in the order set
    std::vector<value> items;   // kind::list

    static value of_text(std::string t)
    {
        value v;
        v.type = kind::text;
        v.text = std::move(t);
        return v;
    }
    static value of_bool(bool b)
    {
        value v;
        v.type = b ? kind::truthy : kind::falsy;
        return v;
    }
    static value of_list()
    {
        value v;
        v.type = kind::list;
        return v;
    }

    value const* get(std::string_view name) const;
    // Sets name (replacing a value of the same name) and returns the value as stored.
    value& set(std::string_view name, value v);
};

struct field {
    std::string name;
    value val;
};

inline value const* value::get(std::string_view name) const
{
    if (type != kind::object || name.empty()) return nullptr;
    // Length and first byte settle almost every mismatch without a call to memcmp.
    for (auto const& f : fields)
        if (f.name.size() == name.size() && f.name[0] == name[0] && f.name == name) return &f.val;
    return nullptr;
}

inline value& value::set(std::string_view name, value v)
{
    for (auto& f : fields)
        if (f.name == name) {
            f.val = std::move(v);
            return f.val;
        }
    if (fields.empty()) fields.reserve(8);  // most objects have a few fields; spare the regrowths
    fields.push_back(field{std::string(name), std::move(v)});
    return fields.back().val;
}

}  // namespace peerdesk::render::engine

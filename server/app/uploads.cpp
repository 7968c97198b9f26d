// Uploaded images: the API and the plain form that take them, and the address that serves them.
//
// DESIGN. An upload is checked and cleaned by media::clean (server/media/image.hpp) before
// anything is written; the clean file is stored under DATA/uploads/<ab>/<sha256>.<ext>, written
// beside its final name, synced and renamed, then recorded in the database. The same image
// uploaded twice is one file and two rows (each counts against its uploader's quota). Files are
// never changed, so they are served with a year's immutable caching and an ETag; a process-wide
// cache keeps recently served files in memory. Whether an image is still served is asked of the
// database on every request (upload_store::access): readers stop getting the images of a deleted
// post once uploads.deleted_retention_days have passed; moderators still see them.
#include "server/app/actions.hpp"
#include "server/app/api_io.hpp"
#include "server/app/drafts.hpp"
#include "server/app/frame.hpp"
#include "server/app/permissions.hpp"
#include "server/app/respond.hpp"
#include "server/app/routes.hpp"
#include "server/domain/crypto.hpp"
#include "server/domain/time.hpp"
#include "server/http/multipart.hpp"
#include "server/media/image.hpp"
#include "server/store/upload_store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <list>
#include <mutex>
#include <unordered_map>

namespace peerdesk::app {
namespace {

namespace fs = std::filesystem;
using http::method;

struct stored_image {
    std::string url;
    media::clean_image image;
};

std::string hex_sha256(std::string_view bytes)
{
    return domain::hex(domain::sha256(bytes));
}

fs::path file_path(std::string const& dir, std::string_view sha, media::image_format f)
{
    return fs::path(dir) / sha.substr(0, 2) / (std::string(sha) + "." + media::extension(f));
}

// Writes the file whole or not at all: a temporary name beside it, synced, renamed, and the
// folder synced so that the name survives a power loss too.
void write_durably(fs::path const& path, std::string_view bytes)
{
    if (fs::exists(path)) return;  // the same bytes, stored before
    fs::create_directories(path.parent_path());
    auto const temp = path.string() + ".part-" + domain::random_token(8);
    int const fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) throw std::system_error(errno, std::generic_category(), "cannot create " + temp);
    std::size_t done = 0;
    while (done < bytes.size()) {
        auto const n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            int const e = errno;
            ::close(fd);
            ::unlink(temp.c_str());
            throw std::system_error(e, std::generic_category(), "cannot write " + temp);
        }
        done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0) {
        int const e = errno;
        ::unlink(temp.c_str());
        throw std::system_error(e, std::generic_category(), "cannot sync " + temp);
    }
    fs::rename(temp, path);
    if (int const dir = ::open(path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dir >= 0) {
        ::fsync(dir);
        ::close(dir);
    }
}

failure problem_failure(media::image_problem const& p)
{
    switch (p.kind) {
        case media::image_problem_kind::too_large:
            return {failure_kind::too_large, "file_too_large", p.message, "file"};
        case media::image_problem_kind::not_an_image:
            return {failure_kind::invalid, "not_an_image", p.message, "file"};
        case media::image_problem_kind::too_many_pixels:
            return {failure_kind::invalid, "too_many_pixels", p.message, "file"};
        case media::image_problem_kind::broken:
            return {failure_kind::invalid, "broken_image", p.message, "file"};
        case media::image_problem_kind::unsupported:
            return {failure_kind::invalid, "unsupported_image", p.message, "file"};
    }
    return {failure_kind::invalid, "not_an_image", p.message, "file"};
}

// The whole upload: who may, how often, how much, what the bytes are; then the file and its row.
std::variant<stored_image, failure> upload(context& ctx, viewer const& who, std::string_view bytes)
{
    if (auto f = permissions(ctx, who).may_write("upload images")) return *f;
    auto const& config = ctx.config.uploads;
    if (config.directory.empty())
        return failure{failure_kind::unavailable, "uploads_off", "This server takes no uploads.", "", 60};
    if (bytes.empty()) return failure{failure_kind::invalid, "missing_file", "Choose an image file to upload.", "file"};
    if (bytes.size() > config.limits.max_bytes)
        return problem_failure({media::image_problem_kind::too_large,
                                "The file is " + std::to_string(bytes.size() / 1024) + " KiB; the limit is " +
                                    std::to_string(config.limits.max_bytes / 1024) + " KiB."});
    auto const used = store::upload_store(ctx.db.reader()).bytes_of(who.user->id);
    if (used + static_cast<std::int64_t>(bytes.size()) > config.quota_bytes)
        return failure{failure_kind::too_large, "quota_exceeded",
                       "Your uploads take " + std::to_string(used >> 20) + " MiB of your " +
                           std::to_string(config.quota_bytes >> 20) +
                           " MiB; a moderator can tell you what to do with older ones.",
                       "file"};
    if (auto f = check_rate(ctx, who, "uploading images", ctx.config.rates.upload)) return *f;
    auto cleaned = media::clean(bytes, config.limits);
    if (auto const* p = std::get_if<media::image_problem>(&cleaned)) return problem_failure(*p);
    auto& image = std::get<media::clean_image>(cleaned);
    if (static_cast<std::int64_t>(image.bytes.size()) + used > config.quota_bytes)
        return failure{failure_kind::too_large, "quota_exceeded", "This image would go over your upload quota.",
                       "file"};
    auto const sha = hex_sha256(image.bytes);
    write_durably(file_path(config.directory, sha, image.format), image.bytes);
    store::new_upload row{who.user->id,
                          sha,
                          media::content_type(image.format),
                          static_cast<std::int64_t>(image.bytes.size()),
                          image.width,
                          image.height,
                          domain::now()};
    ctx.db.write([&](store::connection& c) { store::upload_store(c).add(row); }, store::database::seen::no);
    return stored_image{"/uploads/" + sha + "." + media::extension(image.format), std::move(image)};
}

// The file part of a multipart body, with the other fields as text.
struct multipart_form {
    std::string_view file;
    bool has_file = false;
    http::fields fields;
};

std::variant<multipart_form, failure> read_multipart(call& c)
{
    auto const type = c.req.header("content-type");
    auto const boundary = type ? http::multipart_boundary(*type) : std::nullopt;
    if (!boundary)
        return failure{failure_kind::unsupported_media, "not_multipart",
                       "Send the image as multipart/form-data, in a field named file.", "file"};
    auto parts = http::parse_multipart(c.req.body, *boundary);
    if (!parts)
        return failure{failure_kind::malformed, "malformed_multipart",
                       "The multipart/form-data body cannot be read; send one field named file.", "file"};
    multipart_form form;
    for (auto const& p : *parts) {
        if (p.name == "file" && p.filename) {
            if (form.has_file) return failure{failure_kind::invalid, "one_file", "Upload one image at a time.", "file"};
            form.file = p.data;
            form.has_file = true;
        } else if (!p.filename) {
            form.fields.emplace_back(p.name, std::string(p.data));
        }
    }
    if (!form.has_file)
        return failure{failure_kind::invalid, "missing_file", "Choose an image file to upload (the field file).",
                       "file"};
    return form;
}

http::response api_upload(call& c)
{
    auto form = read_multipart(c);
    if (auto const* f = std::get_if<failure>(&form)) return error_response(*f);
    auto result = upload(c.ctx, c.who, std::get<multipart_form>(form).file);
    if (auto const* f = std::get_if<failure>(&result)) return error_response(*f);
    auto const& s = std::get<stored_image>(result);
    auto r = json_response(201, boost::json::object{{"url", s.url},
                                                    {"width", s.image.width},
                                                    {"height", s.image.height},
                                                    {"bytes", s.image.bytes.size()},
                                                    {"content_type", media::content_type(s.image.format)}});
    r.set("Location", s.url);
    return r;
}

// Without JavaScript: the editor's form posts its text and the file here; the image goes up,
// the text with the image's Markdown added is kept as the place's draft, and the member is back
// at the editor, which shows the draft.
http::response form_upload(call& c)
{
    if (auto r = require_signed_in(c)) return std::move(*r);
    auto form = read_multipart(c);
    std::string back = "/questions/ask";
    if (auto const* f = std::get_if<failure>(&form))
        return message_page(c, *f, "Image not uploaded", f->message, back, "Back to the editor");
    auto& fields = std::get<multipart_form>(form).fields;
    if (auto r = refuse_without_csrf(c, fields)) return std::move(*r);
    auto place = read_place(c.ctx, field(fields, "place"));
    if (auto const* f = std::get_if<failure>(&place))
        return message_page(c, *f, "Image not uploaded", f->message, back, "Back to the editor");
    back = editor_url(std::get<draft_place>(place));
    store::draft_row draft{field(fields, "title"), field(fields, "body"), field(fields, "tags"), domain::now()};
    // The text comes back even when the image is refused: nothing typed is lost.
    auto result = upload(c.ctx, c.who, std::get<multipart_form>(form).file);
    if (auto const* f = std::get_if<stored_image>(&result)) {
        if (!draft.body.empty() && !draft.body.ends_with('\n')) draft.body += "\n";
        draft.body += "\n![image](" + f->url + ")\n";
    }
    if (auto f = save_draft(c.ctx, c.who, std::get<draft_place>(place), draft))
        return message_page(c, *f, "Image not uploaded", f->message, back, "Back to the editor");
    if (auto const* f = std::get_if<failure>(&result))
        return message_page(c, *f, "Image not uploaded", f->message + " Your text is kept.", back,
                            "Back to the editor");
    return redirect(back);
}

// Recently served files, kept in memory up to a budget; files never change, so an entry is
// never stale.
class file_cache {
public:
    std::shared_ptr<std::string const> find(std::string const& name)
    {
        std::lock_guard lock(mutex_);
        auto const it = entries_.find(name);
        if (it == entries_.end()) return nullptr;
        order_.splice(order_.begin(), order_, it->second.second);
        return it->second.first;
    }
    void store(std::string const& name, std::shared_ptr<std::string const> bytes)
    {
        if (bytes->size() > budget_ / 8) return;
        std::lock_guard lock(mutex_);
        if (entries_.contains(name)) return;
        order_.push_front(name);
        entries_.emplace(name, std::make_pair(bytes, order_.begin()));
        used_ += bytes->size();
        while (used_ > budget_ && !order_.empty()) {
            auto const it = entries_.find(order_.back());
            used_ -= it->second.first->size();
            entries_.erase(it);
            order_.pop_back();
        }
    }

private:
    static constexpr std::size_t budget_ = 64 << 20;
    std::mutex mutex_;
    std::list<std::string> order_;
    std::unordered_map<std::string, std::pair<std::shared_ptr<std::string const>, std::list<std::string>::iterator>>
        entries_;
    std::size_t used_ = 0;
};

file_cache& served_files()
{
    static file_cache cache;
    return cache;
}

http::response image_error(int status, std::string const& message)
{
    auto r = text_response(status, "text/plain; charset=utf-8", message + "\n");
    r.set("Cache-Control", "no-store");
    return r;
}

http::response serve_upload(call& c)
{
    auto const name = c.match["name"];
    auto const dot = name.find('.');
    auto const sha = name.substr(0, dot);
    std::optional<media::image_format> format;
    if (dot != std::string_view::npos) format = media::format_of_extension(name.substr(dot + 1));
    bool const hex = sha.size() == 64 && std::all_of(sha.begin(), sha.end(), [](char ch) {
                         return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f');
                     });
    if (!hex || !format || c.ctx.config.uploads.directory.empty()) return image_error(404, "No such image.");
    auto const retention = c.ctx.config.uploads.deleted_retention_days * 86400;
    auto const access = store::upload_store(c.ctx.db.reader()).access(sha, domain::now() - retention);
    if (!access || access->content_type != media::content_type(*format)) return image_error(404, "No such image.");
    bool const moderator = c.who.is_moderator();
    if (!access->shown_to_readers && !moderator)
        return image_error(410, "This image belonged to a deleted post and is no longer shown.");
    std::string const etag = "\"" + std::string(sha) + "\"";
    auto const cache_control = access->shown_to_readers ? "public, max-age=31536000, immutable" : "private, no-store";
    if (auto const match = c.req.header("if-none-match"); match && *match == etag) {
        http::response r;
        r.status = 304;
        r.set("ETag", etag).set("Cache-Control", cache_control);
        return r;
    }
    std::string const key(name);
    auto bytes = served_files().find(key);
    if (!bytes) {
        auto const path = file_path(c.ctx.config.uploads.directory, sha, *format);
        std::error_code ec;
        auto const size = fs::file_size(path, ec);
        if (ec) return image_error(404, "No such image.");
        auto data = std::make_shared<std::string>(size, '\0');
        int const fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) return image_error(404, "No such image.");
        std::size_t done = 0;
        while (done < size) {
            auto const n = ::read(fd, data->data() + done, size - done);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
            done += static_cast<std::size_t>(n);
        }
        ::close(fd);
        if (done != size) return image_error(404, "No such image.");
        bytes = std::move(data);
        served_files().store(key, bytes);
    }
    http::response r;
    r.status = 200;
    r.shared_body = std::move(bytes);
    r.set("Content-Type", access->content_type);
    r.set("Cache-Control", cache_control);
    r.set("ETag", etag);
    // Opened on its own, the image is a sandboxed document that may load and run nothing.
    r.set("Content-Security-Policy", "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox");
    r.set("Cross-Origin-Resource-Policy", "same-site");
    return r;
}

}  // namespace

void add_upload_routes(route_table& r)
{
    r.add(method::post, "/api/v1/uploads", api_upload);
    r.add(method::post, "/uploads", form_upload);
    r.add(method::get, "/uploads/{name}", serve_upload);
}

}  // namespace peerdesk::app

#include "search/snippet.hpp"

#include <xapian.h>

#include <doctest/doctest.h>

#include <string>

using namespace peerdesk::search;

namespace {

Xapian::Stem const english("english");

// The query's terms as the searcher's parser makes them (STEM_SOME: lower-case words stemmed).
snippet_terms terms_for(std::string const& text)
{
    Xapian::QueryParser qp;
    qp.set_stemmer(english);
    qp.set_stemming_strategy(Xapian::QueryParser::STEM_SOME);
    qp.add_prefix("title", "S");
    return snippet_terms_of(qp.parse_query(text), "S");
}

// With the marks shown as [ and ], and the ellipsis as "...", for readable expectations.
std::string readable(std::string s)
{
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\x01')
            out += '[';
        else if (s[i] == '\x02')
            out += ']';
        else if (s.compare(i, 3, "\xE2\x80\xA6") == 0)
            out += "...", i += 2;
        else
            out += s[i];
    }
    return out;
}

std::string snip(std::string const& text, std::string const& query, std::size_t max = 240)
{
    return readable(make_snippet(text, terms_for(query), english, max));
}

}  // namespace

TEST_CASE("snippet terms: stemmed and as typed, title words kept, boolean terms left out")
{
    auto const t = terms_for("Printing title:drivers offline");
    CHECK(t.words == std::vector<std::string>{"printing"});
    CHECK(t.stems == std::vector<std::string>{"driver", "offlin"});
    Xapian::Query const with_tag(Xapian::Query::OP_FILTER, Xapian::Query("Zprint"), Xapian::Query("Kwindows"));
    auto const f = snippet_terms_of(with_tag, "S");
    CHECK(f.words.empty());
    CHECK(f.stems == std::vector<std::string>{"print"});
}

TEST_CASE("snippet marks every form of a word the query's stem matches")
{
    CHECK(snip("The printer printed while printing. Sprint is not a match.", "print") ==
          "The printer [printed] while [printing]. Sprint is not a match.");
    CHECK(snip("Synchronisation failed; resynchronise later.", "synchronising") ==
          "[Synchronisation] failed; resynchronise later.");
    // A capitalised query word matches only itself.
    CHECK(snip("Printing printer print", "Printing") == "[Printing] printer print");
    CHECK(snip("ÉCOLE école", "école") == "[ÉCOLE] [école]");
    CHECK(snip("don't stop", "don't") == "[don't] stop");
    // A part of a word with an apostrophe, as the index holds it too, marks the whole word.
    CHECK(snip("It doesn't wake, and O'Reilly's guide is old.", "doesn reilly") ==
          "It [doesn't] wake, and [O'Reilly's] guide is old.");
    CHECK(snip("It doesn't wake.", "does") == "It doesn't wake.");
    // Punctuation outside ASCII ends a word as ASCII punctuation does.
    CHECK(snip("**Syncing… 99%** — sync—again «sync»", "syncing") == "**[Syncing]... 99%** — [sync]—again «[sync]»");
}

TEST_CASE("snippet keeps the text as text, its whitespace and control bytes made single spaces")
{
    CHECK(snip("a <b> & \"c\" 'd'\n\n\t \x01 csv\x02", "csv") == "a <b> & \"c\" 'd' [csv]");
    CHECK(snip("  \n leading space", "space") == "leading [space]");
}

TEST_CASE("snippet picks the window with the most distinct words and cuts between words")
{
    std::string text = "printer mentioned first. ";
    for (int i = 0; i < 30; ++i) text += "filler words here. ";
    text += "Here the printer spooler stops, and the printer spooler restarts. ";
    for (int i = 0; i < 30; ++i) text += "more filler text. ";
    auto const s = snip(text, "printer spooler", 120);
    // The window with both words, a few words of lead before them, cut at word ends.
    CHECK(s ==
          "...words here. filler words here. Here the [printer] [spooler] stops, and the [printer] [spooler] "
          "restarts. more filler text. more...");
}

TEST_CASE("snippet without a match is the text's start; a short text is whole")
{
    CHECK(snip("short text", "absent") == "short text");
    CHECK(snip("", "anything") == "");
    std::string long_text;
    for (int i = 0; i < 100; ++i) long_text += "word ";
    CHECK(snip(long_text, "absent", 22) == "word word word word...");
}

TEST_CASE("snippet of a word longer than the window: cut between characters, its mark closed")
{
    std::string text;
    for (int i = 0; i < 200; ++i) text += "é";  // one 400-byte word
    auto const s = make_snippet(text, {}, english, 51);
    CHECK(s.size() == 50 + 3);  // 25 whole characters and "…"
    CHECK(s.substr(0, 50) == text.substr(0, 50));
    std::string const a(400, 'a');
    CHECK(readable(make_snippet(a, snippet_terms{{a}, {}}, english, 50)) == "[" + a.substr(0, 50) + "]...");
    CHECK(snip(std::string("\xFF\xFE word", 7), "word") == "\xFF\xFE [word]");
}

#include "server/http/access_log.hpp"

#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <sstream>
#include <thread>

using namespace peerdesk;

namespace {

http::access_record record(http::request const& req)
{
    return {&req, 404, 1234, std::chrono::microseconds(56)};
}

std::string access_line(http::access_record const& r, std::string_view time)
{
    std::string out;
    http::append_access_line(out, r, time);
    return out;
}

}  // namespace

TEST_CASE("access log lines are JSON with the request's strings escaped, the path cut at 500 bytes")
{
    http::request req;
    req.remote_address = "127.0.0.1";
    req.method_text = "GET";
    req.path = "/a\"b\\c\x01\x7f/%E2%9C%93";
    CHECK(
        access_line(record(req), "2026-11-23T10:00:00Z") ==
        R"({"time":"2026-11-23T10:00:00Z","remote":"127.0.0.1","method":"GET","path":"/a\"b\\c\u0001\u007f/%E2%9C%93","status":404,"bytes":1234,"us":56})");
    req.path = "/" + std::string(600, 'x');
    auto const line = access_line(record(req), "t");
    CHECK(line.find(std::string(499, 'x') + "\"") != std::string::npos);
    CHECK(line.find(std::string(500, 'x')) == std::string::npos);
    // The server appends each line to a buffer it reuses: what is there stays.
    std::string reused = "kept";
    req.path = "/q";
    http::append_access_line(reused, record(req), "t");
    CHECK(reused ==
          R"(kept{"time":"t","remote":"127.0.0.1","method":"GET","path":"/q","status":404,"bytes":1234,"us":56})");
}

TEST_CASE(
    "the buffered access log keeps its lines in order, and drops and counts what it cannot hold while its output is "
    "stalled")
{
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    std::FILE* out = ::fdopen(fds[1], "w");
    REQUIRE(out);
    int const per_round = 6000;  // 6 MB a round, more than the log holds
    std::string const padding(1000, 'p');
    std::string received;
    std::thread reader;
    {
        http::buffered_log log(out);
        for (int i = 0; i < per_round; ++i) log.add("a" + std::to_string(i) + " " + padding);
        // Nobody reads the pipe: the log's writer takes the first round and blocks once the
        // pipe is full. The second round must be taken without blocking the caller. Waiting
        // for the pipe to fill, not for a time, says the writer has the first round.
        int const capacity = ::fcntl(fds[1], F_GETPIPE_SZ);
        REQUIRE(capacity > 0);
        auto const deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
        for (int pending = 0; ::ioctl(fds[0], FIONREAD, &pending) == 0 && pending < capacity;) {
            REQUIRE(std::chrono::steady_clock::now() < deadline);
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        for (int i = 0; i < per_round; ++i) log.add("b" + std::to_string(i) + " " + padding);
        reader = std::thread([&] {
            char buf[65536];
            for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;)
                received.append(buf, static_cast<std::size_t>(n));
        });
        log.flush();  // waits for the writer to finish the first round, then writes the second
        log.add("last");
    }  // destroying the log writes what it holds
    std::fclose(out);
    reader.join();
    ::close(fds[0]);

    std::istringstream in(received);
    std::size_t kept = 0, dropped = 0, notes = 0;
    std::string previous, last;
    for (std::string line; std::getline(in, line); last = line) {
        if (line.starts_with("{\"note\":\"")) {
            ++notes;
            dropped += std::stoul(line.substr(9));
            CHECK(line.ends_with(" access log lines were dropped: the log's output did not keep up\"}"));
            continue;
        }
        if (line == "last") continue;
        REQUIRE(line.size() > 1000);
        auto const key = line.substr(0, line.find(' '));
        if (!previous.empty()) {
            // a0 < a1 < … < b0 < b1 …: order kept within and across rounds
            bool const same_round = previous[0] == key[0];
            CHECK((same_round ? std::stoi(previous.substr(1)) < std::stoi(key.substr(1)) : previous[0] < key[0]));
        }
        previous = key;
        ++kept;
    }
    // One note per stall the writer met: two when the writer took the first round whole before
    // it blocked, one when (a slow build, a loaded machine) it woke while the round was still
    // being added and the drops of both rounds were counted before it could write again.
    CHECK(notes >= 1);
    CHECK(notes <= 2);
    CHECK(dropped > 0);
    CHECK(kept + dropped == 2 * per_round);
    CHECK(kept * 1000 <= 2 * http::buffered_log::max_buffered);
    CHECK(last == "last");
}

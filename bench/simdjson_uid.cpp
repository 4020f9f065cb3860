// simdjson_uid — the benchmark's state-of-the-art anchor (bench/run.sh, contender 4).
//
// Reads newline-delimited JSON frames from a file (or stdin), extracts the root-level "uid"
// (a string) and "ts" (a number, or a string holding the number) of every frame with simdjson's
// On Demand API, and counts distinct uids: each uid is hashed once with XXH3-64 and the hash goes
// into an open-addressing set of 64-bit hashes — the same "hash once" design sluice uses, so the
// comparison is about parsing, not about a slow std::unordered_set<std::string>.
//
//   simdjson_uid [--mode lines|many|dom] [--buffer BYTES] [FILE]
//
//   --mode lines  (default) one parser.iterate() per line, the lines found with memchr in a
//                 large read() buffer; no copy of frame bytes (the buffer has SIMDJSON_PADDING
//                 spare bytes at its end, and a line's "padding" is simply the next line's bytes,
//                 which simdjson allows: the padding must be allocated, its content is free).
//   --mode many   parser.iterate_many() over each buffer's whole lines (simdjson's own NDJSON
//                 path: one stage-1 pass over up to 1 MB batches).
//   --mode dom    one DOM parser.parse() per line, as --mode lines finds them. On Demand checks
//                 the UTF-8 and the structure (strings, brackets) of the whole frame but the
//                 grammar, numbers and literals only of what it reads: a frame with a trailing
//                 comma in a field nobody asks for passes. The DOM parser checks every byte, as
//                 jansson and sluice's default `validate = full` do: like against like in what is
//                 refused (bench/run.sh rows 4d and D-<level>).
//
// Single-threaded: built without -pthread, so SIMDJSON_THREADS_ENABLED is off and iterate_many
// does no look-ahead thread. (sluice's pipeline runs on one thread, but its stdin source reads
// ahead on a second one: the kernel's copy and the newline search; RESULTS.md counts the CPU
// time of both.)
//
// Prints one line: frames=N distinct=D bad=B implementation=NAME
// A frame counts as bad when it does not parse, or has no string uid, or no numeric ts.
// Exit status: 0 ok, 1 I/O or usage error.

#include <simdjson.h>
#include <xxhash.h>

#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <string_view>
#include <unistd.h>
#include <vector>

using namespace simdjson;

namespace {

// Open-addressing set of 64-bit hashes (0 marks an empty slot; a real 0 hash is remapped).
class HashSet {
public:
    HashSet() : slots_(1u << 18, 0), mask_((1u << 18) - 1) {}
    void insert(uint64_t h) {
        if (h == 0) h = 1;
        size_t i = h & mask_;
        while (slots_[i] != 0) {
            if (slots_[i] == h) return;
            i = (i + 1) & mask_;
        }
        slots_[i] = h;
        if (++count_ * 2 > slots_.size()) grow();
    }
    size_t size() const { return count_; }

private:
    void grow() {
        std::vector<uint64_t> old;
        old.swap(slots_);
        slots_.assign(old.size() * 2, 0);
        mask_ = slots_.size() - 1;
        for (uint64_t h : old) {
            if (h == 0) continue;
            size_t i = h & mask_;
            while (slots_[i] != 0) i = (i + 1) & mask_;
            slots_[i] = h;
        }
    }
    std::vector<uint64_t> slots_;
    size_t mask_;
    size_t count_ = 0;
};

struct Counts {
    uint64_t frames = 0;
    uint64_t bad = 0;
    int64_t ts_sum = 0;  // keeps the ts parse from being optimised away
    HashSet uids;
};

// A ts given as a string: the whole string is an integer.
bool ts_from_string(std::string_view s, int64_t &t) {
    auto r = std::from_chars(s.data(), s.data() + s.size(), t);
    return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

// Counts a frame and its root "uid" (a string), in an On Demand document or a DOM element;
// false if it has none.
template <typename Doc>
bool take_uid(Doc &doc, Counts &c) {
    c.frames++;
    std::string_view uid;
    if (doc["uid"].get_string().get(uid)) {
        c.bad++;
        return false;
    }
    c.uids.insert(XXH3_64bits(uid.data(), uid.size()));
    return true;
}

// Reads root "uid" and "ts" of one On Demand document (document or document_reference).
template <typename Doc>
void take(Doc &doc, Counts &c) {
    if (!take_uid(doc, c)) return;
    auto ts = doc["ts"];
    ondemand::json_type type;
    if (ts.type().get(type)) {
        c.bad++;
        return;
    }
    int64_t t = 0;
    if (type == ondemand::json_type::number) {
        double d;
        if (ts.get_int64().get(t)) {
            if (ts.get_double().get(d)) {
                c.bad++;
                return;
            }
            t = static_cast<int64_t>(d);
        }
    } else if (type == ondemand::json_type::string) {
        std::string_view s;
        if (ts.get_string().get(s) || !ts_from_string(s, t)) {
            c.bad++;
            return;
        }
    } else {
        c.bad++;
        return;
    }
    c.ts_sum += t;
}

// The same answer as take() from a DOM document: uid a string, ts a number or a string
// holding one.
void take_dom(dom::element doc, Counts &c) {
    if (!take_uid(doc, c)) return;
    dom::element ts;
    if (doc["ts"].get(ts)) {
        c.bad++;
        return;
    }
    int64_t t = 0;
    if (ts.is_int64()) {
        t = ts.get_int64().value_unsafe();
    } else if (ts.is_number()) {
        t = static_cast<int64_t>(ts.get_double().value_unsafe());
    } else if (ts.is_string()) {
        if (!ts_from_string(ts.get_string().value_unsafe(), t)) {
            c.bad++;
            return;
        }
    } else {
        c.bad++;
        return;
    }
    c.ts_sum += t;
}

[[noreturn]] void die(const char *what) {
    std::fprintf(stderr, "simdjson_uid: %s: %s\n", what, std::strerror(errno));
    std::exit(1);
}

}  // namespace

int main(int argc, char **argv) {
    bool many = false, dom_mode = false;
    size_t bufsize = 4u << 20;
    const char *path = nullptr;
    for (int i = 1; i < argc; i++) {
        if (!std::strcmp(argv[i], "--mode") && i + 1 < argc) {
            const char *m = argv[++i];
            if (!std::strcmp(m, "many")) many = true;
            else if (!std::strcmp(m, "dom")) dom_mode = true;
            else if (std::strcmp(m, "lines")) {
                std::fprintf(stderr, "simdjson_uid: --mode lines|many|dom\n");
                return 1;
            }
        } else if (!std::strcmp(argv[i], "--buffer") && i + 1 < argc) {
            bufsize = std::strtoull(argv[++i], nullptr, 10);
            if (bufsize < 4096) bufsize = 4096;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            std::fprintf(stderr, "usage: simdjson_uid [--mode lines|many|dom] [--buffer BYTES] [FILE]\n");
            return 1;
        } else {
            path = argv[i];
        }
    }
    int fd = 0;
    if (path && std::strcmp(path, "-") && (fd = open(path, O_RDONLY)) < 0) die(path);

    Counts c;
    ondemand::parser parser;
    dom::parser dom_parser;
    std::vector<char> buf(bufsize + SIMDJSON_PADDING);
    size_t have = 0;  // bytes in buf[0..have)
    bool eof = false;
    while (!eof || have > 0) {
        if (!eof) {
            if (have == bufsize) {  // one line longer than the buffer: grow
                bufsize *= 2;
                buf.resize(bufsize + SIMDJSON_PADDING);
            }
            ssize_t n = read(fd, buf.data() + have, bufsize - have);
            if (n < 0) {
                if (errno == EINTR) continue;
                die("read");
            }
            if (n == 0) eof = true;
            have += static_cast<size_t>(n);
        }
        // Whole lines are buf[0..end); at EOF the last line needs no newline.
        const char *base = buf.data();
        const char *nl = static_cast<const char *>(memrchr(base, '\n', have));
        size_t end = nl ? static_cast<size_t>(nl - base) + 1 : 0;
        if (eof) end = have;
        if (end == 0) continue;

        if (many) {
            ondemand::document_stream stream;
            if (parser.iterate_many(base, end, ondemand::DEFAULT_BATCH_SIZE).get(stream)) {
                c.bad++;
            } else {
                for (auto it = stream.begin(); it != stream.end(); ++it) {
                    ondemand::document_reference doc;
                    if ((*it).get(doc)) {
                        c.frames++;
                        c.bad++;
                        continue;
                    }
                    take(doc, c);
                }
            }
        } else {
            const char *p = base, *stop = base + end;
            while (p < stop) {
                const char *e = static_cast<const char *>(std::memchr(p, '\n', stop - p));
                if (!e) e = stop;
                size_t len = static_cast<size_t>(e - p);
                if (len > 0 && !(len == 1 && *p == '\r')) {
                    // Allocated bytes after this line: the rest of the buffer plus its padding.
                    size_t capacity = static_cast<size_t>(base + bufsize + SIMDJSON_PADDING - p);
                    bool parsed;
                    if (dom_mode) {
                        // (false: the line's padding is the buffer's next bytes, as above.)
                        dom::element doc;
                        parsed = !dom_parser.parse(p, len, false).get(doc);
                        if (parsed) take_dom(doc, c);
                    } else {
                        ondemand::document doc;
                        parsed = !parser.iterate(p, len, capacity).get(doc);
                        if (parsed) take(doc, c);
                    }
                    if (!parsed) {
                        c.frames++;
                        c.bad++;
                    }
                }
                p = e + 1;
            }
        }
        std::memmove(buf.data(), buf.data() + end, have - end);
        have -= end;
    }
    std::printf("frames=%llu distinct=%zu bad=%llu implementation=%s ts_sum=%lld\n",
                static_cast<unsigned long long>(c.frames), c.uids.size(),
                static_cast<unsigned long long>(c.bad),
                get_active_implementation()->name().c_str(), static_cast<long long>(c.ts_sum));
    return 0;
}

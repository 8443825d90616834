// Host-side plumbing shared by the CPU and CUDA harnesses (header-only, C++17).
//
// A harness speaks the attnlab harness lines (DESIGN.md, src/model/harness.ts): one JSON object
// per line on stdout — hello, check, memory, samples, clock, done, error, log. Everything else
// (diagnostics, compiler noise) goes to stderr. This header has the JSON writer, the line
// emitter, the command-line parser shared by both harnesses, the stdin "stop" poller and a few
// host facts for the environment fingerprint.
#pragma once

#include <poll.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

namespace attnlab {

// ---------------------------------------------------------------------------------------------
// JSON writer: just enough to build harness lines. Non-finite numbers become null (JSON has no
// NaN), so a NaN in an error metric can never produce an unparsable line.
class JsonWriter {
 public:
  JsonWriter& begin_object() { sep(); out_ += '{'; first_.push_back(true); return *this; }
  JsonWriter& end_object() { out_ += '}'; first_.pop_back(); return *this; }
  JsonWriter& begin_array() { sep(); out_ += '['; first_.push_back(true); return *this; }
  JsonWriter& end_array() { out_ += ']'; first_.pop_back(); return *this; }
  JsonWriter& key(const char* k) {
    sep();
    quote(k);
    out_ += ':';
    after_key_ = true;
    return *this;
  }
  JsonWriter& value(double v) {
    sep();
    if (!std::isfinite(v)) {
      out_ += "null";
    } else {
      char buf[40];
      std::snprintf(buf, sizeof buf, "%.17g", v);
      out_ += buf;
    }
    return *this;
  }
  JsonWriter& value(int64_t v) { sep(); out_ += std::to_string(v); return *this; }
  JsonWriter& value(int v) { return value(static_cast<int64_t>(v)); }
  JsonWriter& value(bool v) { sep(); out_ += v ? "true" : "false"; return *this; }
  JsonWriter& value(const std::string& v) { sep(); quote(v.c_str()); return *this; }
  JsonWriter& value(const char* v) { sep(); quote(v); return *this; }
  JsonWriter& null() { sep(); out_ += "null"; return *this; }
  template <class T> JsonWriter& kv(const char* k, T v) { key(k); return value(v); }
  const std::string& str() const { return out_; }

 private:
  void sep() {
    if (after_key_) { after_key_ = false; return; }
    if (!first_.empty()) {
      if (!first_.back()) out_ += ',';
      first_.back() = false;
    }
  }
  void quote(const char* s) {
    out_ += '"';
    for (const unsigned char* p = reinterpret_cast<const unsigned char*>(s); *p; ++p) {
      switch (*p) {
        case '"': out_ += "\\\""; break;
        case '\\': out_ += "\\\\"; break;
        case '\n': out_ += "\\n"; break;
        case '\r': out_ += "\\r"; break;
        case '\t': out_ += "\\t"; break;
        default:
          if (*p < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", *p);
            out_ += buf;
          } else {
            out_ += static_cast<char>(*p);
          }
      }
    }
    out_ += '"';
  }
  std::string out_;
  std::vector<bool> first_;
  bool after_key_ = false;
};

// One writer of stdout for every thread: a line is written and flushed whole.
inline std::mutex& stdout_mutex() {
  static std::mutex m;
  return m;
}

inline void emit(const JsonWriter& w) {
  std::lock_guard<std::mutex> lock(stdout_mutex());
  std::fwrite(w.str().data(), 1, w.str().size(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

inline void emit_log(const std::string& message) {
  JsonWriter w;
  w.begin_object().kv("type", "log").kv("message", message).end_object();
  emit(w);
}

// Phase markers are log lines the runner recognises ("phase checking", "phase timing", ...).
inline void emit_phase(const char* phase) { emit_log(std::string("phase ") + phase); }

inline void emit_error(const std::string& code, const std::string& message) {
  JsonWriter w;
  w.begin_object().kv("type", "error").kv("code", code).kv("message", message).end_object();
  emit(w);
}

// A failure that ends the run with an `error` line of this code.
struct HarnessError : std::runtime_error {
  std::string code;
  HarnessError(std::string c, const std::string& message)
      : std::runtime_error(message), code(std::move(c)) {}
};

// ---------------------------------------------------------------------------------------------
// Command line, shared by both harnesses. Every value is range-checked here as well as in the
// runner (defence in depth: the harness is also run by hand).
enum class Dtype { F32, F16, BF16 };

inline const char* dtype_name(Dtype d) {
  return d == Dtype::F32 ? "f32" : d == Dtype::F16 ? "f16" : "bf16";
}
inline size_t dtype_bytes(Dtype d) { return d == Dtype::F32 ? 4 : 2; }

struct Args {
  std::string kernel;
  int64_t batch = 1, heads = 8, seq = 512, dim = 64;
  // K/V shape: [B, Hkv, Skv, D]; 0 means the square problem (Hkv = H, Skv = S). Query head h
  // reads KV head h·Hkv/H; causal with S ≠ Skv is aligned bottom-right (query i sees keys
  // j ≤ i + Skv − S) and a row that sees no key outputs zeros, as FlashAttention does.
  int64_t kv_heads = 0, kv_seq = 0;
  bool causal = false;
  Dtype dtype = Dtype::F32;
  double scale = 0;  // 0: 1/sqrt(D)
  uint64_t seed = 1;
  int64_t warmup = -1;        // -1: harness chooses
  int64_t iterations = 0;     // >0: count rule; 0: stream until "stop" on stdin
  int64_t max_samples = 100000;
  double max_ms = 3600e3;     // safety limit for stream mode
  bool warm = false;          // skip the cache flush
  double flush_ms = 100;      // samples lines at most this far apart
  std::string inputs;         // raw f32 file: q, k, v back to back ([B,H,S,D] each)
  std::string output;         // write O as raw f32 here
  int threads = 0;            // cpu: OpenMP threads (0: all)
  int device = 0;             // cuda: device ordinal
  bool info = false;          // print hello and exit
  bool selftest = false;      // run every kernel at small shapes vs the reference
  bool list = false;          // list kernels as JSON and exit
  bool help = false;

  double resolved_scale() const { return scale > 0 ? scale : 1.0 / std::sqrt(double(dim)); }
  int64_t elements() const { return batch * heads * seq * dim; }
  int64_t rows() const { return batch * heads * seq; }
  int64_t hkv() const { return kv_heads > 0 ? kv_heads : heads; }
  int64_t skv() const { return kv_seq > 0 ? kv_seq : seq; }
  // Elements of K or V: B·Hkv·Skv·D.
  int64_t kv_elems() const { return batch * hkv() * skv() * dim; }
};

inline int64_t parse_int(const char* flag, const char* text, int64_t lo, int64_t hi) {
  char* end = nullptr;
  errno = 0;
  long long v = std::strtoll(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || v < lo || v > hi) {
    throw HarnessError("bad-config", std::string(flag) + ": must be an integer in " +
                                         std::to_string(lo) + ".." + std::to_string(hi) +
                                         " (got \"" + text + "\")");
  }
  return v;
}

inline double parse_double(const char* flag, const char* text, double lo, double hi) {
  char* end = nullptr;
  double v = std::strtod(text, &end);
  if (end == text || *end != '\0' || !std::isfinite(v) || v < lo || v > hi) {
    throw HarnessError("bad-config", std::string(flag) + ": must be a number in " +
                                         std::to_string(lo) + ".." + std::to_string(hi) +
                                         " (got \"" + text + "\")");
  }
  return v;
}

inline const char* usage_text() {
  return "options: --kernel ID --batch B --heads H --seq S --dim D [--causal 0|1]\n"
         "  [--kv-heads HKV] [--kv-seq SKV]\n"
         "  [--dtype f32|f16|bf16] [--scale X] [--seed N] [--warmup N]\n"
         "  [--iterations N | (stream until 'stop' on stdin) --max-samples N --max-ms MS]\n"
         "  [--warm] [--flush-ms MS] [--inputs qkv.f32] [--output o.f32] [--threads N]\n"
         "  [--device N] | --info | --list | --selftest | --help\n";
}

// Parses argv; throws HarnessError("bad-config") naming the flag and its allowed range.
inline Args parse_args(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    std::string f = argv[i];
    auto next = [&]() -> const char* {
      if (i + 1 >= argc) throw HarnessError("bad-config", f + ": missing value");
      return argv[++i];
    };
    if (f == "--kernel") a.kernel = next();
    else if (f == "--batch") a.batch = parse_int("--batch", next(), 1, 4096);
    else if (f == "--heads") a.heads = parse_int("--heads", next(), 1, 1024);
    else if (f == "--seq") a.seq = parse_int("--seq", next(), 1, 65536);
    else if (f == "--dim") a.dim = parse_int("--dim", next(), 8, 256);
    else if (f == "--kv-heads") a.kv_heads = parse_int("--kv-heads", next(), 1, 1024);
    else if (f == "--kv-seq") a.kv_seq = parse_int("--kv-seq", next(), 1, 1048576);
    else if (f == "--causal") a.causal = parse_int("--causal", next(), 0, 1) == 1;
    else if (f == "--dtype") {
      std::string d = next();
      if (d == "f32") a.dtype = Dtype::F32;
      else if (d == "f16") a.dtype = Dtype::F16;
      else if (d == "bf16") a.dtype = Dtype::BF16;
      else throw HarnessError("bad-config", "--dtype: must be one of f32, f16, bf16 (got \"" + d + "\")");
    } else if (f == "--scale") a.scale = parse_double("--scale", next(), 1e-30, 1e30);
    else if (f == "--seed") a.seed = uint64_t(parse_int("--seed", next(), 0, 4294967295LL));
    else if (f == "--warmup") a.warmup = parse_int("--warmup", next(), 0, 10000);
    else if (f == "--iterations") a.iterations = parse_int("--iterations", next(), 1, 100000);
    else if (f == "--max-samples") a.max_samples = parse_int("--max-samples", next(), 1, 100000);
    else if (f == "--max-ms") a.max_ms = parse_double("--max-ms", next(), 1, 3600e3);
    else if (f == "--warm") a.warm = true;
    else if (f == "--flush-ms") a.flush_ms = parse_double("--flush-ms", next(), 1, 10000);
    else if (f == "--inputs") a.inputs = next();
    else if (f == "--output") a.output = next();
    else if (f == "--threads") a.threads = int(parse_int("--threads", next(), 0, 4096));
    else if (f == "--device") a.device = int(parse_int("--device", next(), 0, 64));
    else if (f == "--info") a.info = true;
    else if (f == "--list") a.list = true;
    else if (f == "--selftest") a.selftest = true;
    else if (f == "--help" || f == "-h") a.help = true;
    else throw HarnessError("bad-config", "unknown option \"" + f + "\"; " + usage_text());
  }
  if (a.dim % 8 != 0) {
    throw HarnessError("bad-config", "--dim: must be a multiple of 8 in 8..256 (got " +
                                         std::to_string(a.dim) + ")");
  }
  if (a.heads % a.hkv() != 0) {
    throw HarnessError("bad-config", "--kv-heads: must divide --heads " + std::to_string(a.heads) +
                                         " (got " + std::to_string(a.hkv()) + ")");
  }
  if (!a.info && !a.list && !a.selftest && !a.help && a.kernel.empty()) {
    throw HarnessError("bad-config", "--kernel: required (use --list to see the kernels)");
  }
  return a;
}

// ---------------------------------------------------------------------------------------------
// Stream mode: the runner writes "stop\n" on stdin when its stop rule is met. EOF on stdin
// (the runner went away) also stops, so an orphaned harness never runs on.
class StopPoller {
 public:
  bool should_stop() {
    if (stopped_) return true;
    struct pollfd p = {0, POLLIN, 0};
    while (::poll(&p, 1, 0) > 0) {
      if (p.revents & (POLLIN | POLLHUP)) {
        char buf[256];
        ssize_t n = ::read(0, buf, sizeof buf);
        if (n <= 0) { stopped_ = true; break; }
        pending_.append(buf, size_t(n));
        if (pending_.find("stop") != std::string::npos) { stopped_ = true; break; }
        if (pending_.size() > 4096) pending_.erase(0, pending_.size() - 16);
      } else {
        stopped_ = true;  // POLLERR / POLLNVAL: no usable stdin
        break;
      }
    }
    return stopped_;
  }

 private:
  bool stopped_ = false;
  std::string pending_;
};

// ---------------------------------------------------------------------------------------------
// Host facts for the environment fingerprint.
inline double now_ms() {
  using namespace std::chrono;
  return duration<double, std::milli>(steady_clock::now().time_since_epoch()).count();
}

inline std::string host_name() {
  char buf[256] = {0};
  if (gethostname(buf, sizeof buf - 1) != 0) return "unknown";
  return buf;
}

inline std::string os_name() {
  struct utsname u;
  if (uname(&u) != 0) return "unknown";
  return std::string(u.sysname) + " " + u.release + " " + u.machine;
}

inline std::string cpu_model() {
  std::ifstream f("/proc/cpuinfo");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("model name", 0) == 0) {
      auto pos = line.find(':');
      if (pos != std::string::npos) return line.substr(pos + 2);
    }
  }
  return "unknown CPU";
}

// MemAvailable from /proc/meminfo in bytes (0 when unknown).
inline int64_t host_mem_available() {
  std::ifstream f("/proc/meminfo");
  std::string name;
  int64_t kb = 0;
  std::string unit;
  while (f >> name >> kb >> unit) {
    if (name == "MemAvailable:") return kb * 1024;
  }
  return 0;
}

inline int64_t host_mem_total() {
  long pages = sysconf(_SC_PHYS_PAGES);
  long page = sysconf(_SC_PAGE_SIZE);
  return pages > 0 && page > 0 ? int64_t(pages) * page : 0;
}

// Writes the "host" object of the env fingerprint.
inline void write_host(JsonWriter& w) {
  w.key("host").begin_object();
  w.kv("hostname", host_name()).kv("os", os_name()).kv("cpu", cpu_model());
  w.kv("cpus", int64_t(sysconf(_SC_NPROCESSORS_ONLN)));
  w.end_object();
}

inline std::string format_bytes(double b) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (b >= 1024 && u < 4) { b /= 1024; ++u; }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.2f %s", b, units[u]);
  return buf;
}

// Reads the user's inputs (raw f32: q [B,H,S,D], then k and v of nkv elements each; nkv < 0
// means the square problem, n each) into three host arrays.
inline void read_inputs(const std::string& path, int64_t n, std::vector<float>& q,
                        std::vector<float>& k, std::vector<float>& v, int64_t nkv = -1) {
  if (nkv < 0) nkv = n;
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) throw HarnessError("io-error", "--inputs: cannot open " + path);
  q.resize(size_t(n));
  k.resize(size_t(nkv));
  v.resize(size_t(nkv));
  size_t got = std::fread(q.data(), 4, size_t(n), f);
  got += std::fread(k.data(), 4, size_t(nkv), f);
  got += std::fread(v.data(), 4, size_t(nkv), f);
  char extra;
  bool more = std::fread(&extra, 1, 1, f) == 1;
  std::fclose(f);
  if (got != size_t(n + 2 * nkv) || more) {
    throw HarnessError("io-error", "--inputs: " + path +
                                       " must hold exactly B·H·S·D + 2·B·Hkv·Skv·D = " +
                                       std::to_string(n + 2 * nkv) + " float32 values (q, k, v)");
  }
}

// Writes O as raw f32, atomically (temp file + rename): the runner never reads half a file.
inline void write_output(const std::string& path, const float* o, int64_t n) {
  std::string tmp = path + ".tmp" + std::to_string(getpid());
  FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) throw HarnessError("io-error", "--output: cannot write " + tmp);
  size_t put = std::fwrite(o, 4, size_t(n), f);
  bool ok = std::fclose(f) == 0 && put == size_t(n);
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw HarnessError("io-error", "--output: cannot write " + path);
  }
}

}  // namespace attnlab

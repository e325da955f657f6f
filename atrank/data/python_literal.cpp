// Recursive-descent parser for the Python literal subset that repr() writes. One parser does
// both building and skipping (out == nullptr), so a skipped value is validated the same way.
#include "atrank/data/python_literal.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>

namespace atrank::data {

const PyValue* PyValue::get(std::string_view key) const {
  if (kind != Kind::dict) return nullptr;
  for (std::size_t i = 0; i < items.size(); ++i)
    if (items[i].kind == Kind::string && items[i].text == key) return &values[i];
  return nullptr;
}

namespace {

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Deeper nesting is refused (recursion depth; real meta lines nest 3 levels).
constexpr int kMaxDepth = 200;

class Parser {
 public:
  explicit Parser(std::string_view s) : s_(s) {}

  void value(PyValue* out, int depth = 0) {
    if (depth > kMaxDepth) fail("nesting deeper than " + std::to_string(kMaxDepth) + " levels");
    ws();
    if (at_end()) fail("expected a value, found end of input");
    const char c = s_[p_];
    if (c == '{') return dict(out, depth, nullptr);
    if (c == '[') return sequence(out, ']', PyValue::Kind::list, depth);
    if (c == '(') return sequence(out, ')', PyValue::Kind::tuple, depth);
    if (c == '\'' || c == '"' || is_prefix_start()) return strings(out);
    if (c == '-' || c == '+' || c == '.' || (c >= '0' && c <= '9')) return number(out);
    // JSON's spellings too: the 2018 Amazon release ships its meta files as JSON.
    if (word("True") || word("true")) return set_bool(out, true);
    if (word("False") || word("false")) return set_bool(out, false);
    if (word("None") || word("null")) {
      if (out) out->kind = PyValue::Kind::none;
      return;
    }
    fail(std::string("unexpected character '") + c + "'");
  }

  // Also the entry point of parse_python_dict, hence the leading whitespace.
  void dict(PyValue* out, int depth, const std::vector<std::string_view>* keep) {
    ws();
    if (!peek('{')) fail("expected a dict literal '{'");
    ++p_;
    if (out) out->kind = PyValue::Kind::dict;
    ws();
    if (peek('}')) return void(++p_);
    for (;;) {
      PyValue key;
      value(&key, depth + 1);
      ws();
      expect(':');
      const bool wanted = out && (!keep || (key.kind == PyValue::Kind::string &&
                                            std::find(keep->begin(), keep->end(),
                                                      std::string_view(key.text)) != keep->end()));
      if (wanted) {
        out->items.push_back(std::move(key));
        out->values.emplace_back();
        value(&out->values.back(), depth + 1);
      } else {
        value(nullptr, depth + 1);
      }
      ws();
      if (peek(',')) {
        ++p_;
        ws();
        if (peek('}')) return void(++p_);
        continue;
      }
      if (peek('}')) return void(++p_);
      fail("expected ',' or '}' in dict");
    }
  }

  void finish() {
    ws();
    if (!at_end()) fail("unexpected text after the literal");
  }

 private:
  [[noreturn]] void fail(const std::string& what) const { throw PyLiteralError(p_, what); }
  bool at_end() const { return p_ >= s_.size(); }
  bool peek(char c) const { return p_ < s_.size() && s_[p_] == c; }
  void expect(char c) {
    if (!peek(c))
      fail(at_end() ? std::string("expected '") + c + "', found end of input"
                    : std::string("expected '") + c + "', found '" + s_[p_] + "'");
    ++p_;
  }
  void ws() {
    while (p_ < s_.size() && (s_[p_] == ' ' || s_[p_] == '\t' || s_[p_] == '\n' || s_[p_] == '\r'))
      ++p_;
  }
  bool word(std::string_view w) {
    if (s_.substr(p_, w.size()) != w) return false;
    const std::size_t e = p_ + w.size();
    if (e < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[e])) || s_[e] == '_'))
      return false;
    p_ = e;
    return true;
  }
  void set_bool(PyValue* out, bool v) {
    if (!out) return;
    out->kind = PyValue::Kind::boolean;
    out->boolean = v;
  }

  void sequence(PyValue* out, char close, PyValue::Kind kind, int depth) {
    ++p_;
    if (out) out->kind = kind;
    ws();
    if (peek(close)) return void(++p_);
    for (;;) {
      if (out) {
        out->items.emplace_back();
        value(&out->items.back(), depth + 1);
      } else {
        value(nullptr, depth + 1);
      }
      ws();
      if (peek(',')) {
        ++p_;
        ws();
        if (peek(close)) return void(++p_);
        continue;
      }
      if (peek(close)) return void(++p_);
      fail(std::string("expected ',' or '") + close + "'");
    }
  }

  // String prefixes: u, b, r and combinations (ur, br, rb), any case.
  bool is_prefix_start() const {
    std::size_t q = p_;
    int n = 0;
    while (q < s_.size() && n < 2 && std::string_view("uUbBrR").find(s_[q]) != std::string_view::npos) {
      ++q;
      ++n;
    }
    return n > 0 && q < s_.size() && (s_[q] == '\'' || s_[q] == '"');
  }

  // One or more adjacent string literals (Python concatenates them).
  void strings(PyValue* out) {
    if (out) {
      out->kind = PyValue::Kind::string;
      out->text.clear();
    }
    for (;;) {
      one_string(out ? &out->text : nullptr);
      const std::size_t save = p_;
      ws();
      if (!at_end() && (s_[p_] == '\'' || s_[p_] == '"' || is_prefix_start())) continue;
      p_ = save;
      return;
    }
  }

  void one_string(std::string* out) {
    bool raw = false;
    while (s_[p_] != '\'' && s_[p_] != '"') {
      raw = raw || s_[p_] == 'r' || s_[p_] == 'R';
      ++p_;
    }
    const char q = s_[p_];
    const std::size_t open = p_;
    const bool triple = s_.substr(p_, 3) == std::string(3, q);
    p_ += triple ? 3 : 1;
    for (;;) {
      if (at_end()) {
        p_ = open;
        fail("unterminated string");
      }
      const char c = s_[p_];
      if (c == q && (!triple || s_.substr(p_, 3) == std::string(3, q))) {
        p_ += triple ? 3 : 1;
        return;
      }
      if ((c == '\n' || c == '\r') && !triple) fail("newline inside a string");
      if (c != '\\') {
        if (out) *out += c;
        ++p_;
        continue;
      }
      if (p_ + 1 >= s_.size()) {
        p_ = open;
        fail("unterminated string");
      }
      if (raw) {  // raw strings keep the backslash; it still protects the quote
        if (out) {
          *out += c;
          *out += s_[p_ + 1];
        }
        p_ += 2;
        continue;
      }
      escape(out);
    }
  }

  std::uint32_t hex(std::size_t digits) {
    if (p_ + digits > s_.size()) fail("truncated \\x/\\u/\\U escape");
    std::uint32_t v = 0;
    for (std::size_t i = 0; i < digits; ++i) {
      const int h = hex_digit(s_[p_ + i]);
      if (h < 0) fail("bad hex digit in escape");
      v = v * 16 + static_cast<std::uint32_t>(h);
    }
    p_ += digits;
    return v;
  }

  void escape(std::string* out) {
    const char e = s_[p_ + 1];
    p_ += 2;
    auto put = [&](char ch) {
      if (out) *out += ch;
    };
    switch (e) {
      case '\\': return put('\\');
      case '\'': return put('\'');
      case '"': return put('"');
      case 'a': return put('\a');
      case 'b': return put('\b');
      case 'f': return put('\f');
      case 'n': return put('\n');
      case 'r': return put('\r');
      case 't': return put('\t');
      case 'v': return put('\v');
      case '\n': return;  // line continuation
      case 'x': {
        // In a Python 2 byte-string repr, \xhh is a raw byte; in a unicode repr it is U+00hh.
        // Meta files hold both; a byte >= 0x80 is emitted as the code point (UTF-8), which
        // is right for unicode reprs and keeps byte strings readable.
        const std::uint32_t v = hex(2);
        if (out) append_utf8(*out, v);
        return;
      }
      case 'u':
      case 'U': {
        std::uint32_t cp = hex(e == 'u' ? 4 : 8);
        // A UTF-16 surrogate pair (narrow Python 2 builds write those) becomes one code point.
        if (cp >= 0xD800 && cp < 0xDC00 && s_.substr(p_, 2) == "\\u") {
          const std::size_t save = p_;
          p_ += 2;
          const std::uint32_t lo = hex(4);
          if (lo >= 0xDC00 && lo < 0xE000) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          } else {
            p_ = save;
          }
        }
        if (cp > 0x10FFFF) fail("escape beyond U+10FFFF");
        if (out) append_utf8(*out, cp);
        return;
      }
      default:
        if (e >= '0' && e <= '7') {  // up to three octal digits
          std::uint32_t v = static_cast<std::uint32_t>(e - '0');
          for (int i = 0; i < 2 && p_ < s_.size() && s_[p_] >= '0' && s_[p_] <= '7'; ++i)
            v = v * 8 + static_cast<std::uint32_t>(s_[p_++] - '0');
          if (out) append_utf8(*out, v);
          return;
        }
        // Unknown escapes keep the backslash, as in Python.
        put('\\');
        put(e);
    }
  }

  void number(PyValue* out) {
    const std::size_t start = p_;
    if (peek('-') || peek('+')) ++p_;
    std::size_t digits = 0;
    while (p_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[p_]))) ++p_, ++digits;
    bool real = false;
    if (peek('.')) {
      real = true;
      ++p_;
      while (p_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[p_]))) ++p_, ++digits;
    }
    if (digits == 0) {
      p_ = start;
      fail("malformed number");
    }
    if (peek('e') || peek('E')) {
      real = true;
      ++p_;
      if (peek('-') || peek('+')) ++p_;
      std::size_t exp_digits = 0;
      while (p_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[p_]))) ++p_, ++exp_digits;
      if (exp_digits == 0) fail("malformed exponent");
    }
    const std::size_t end = p_;
    if (!real && (peek('L') || peek('l'))) ++p_;  // Python 2 long
    if (p_ < s_.size() && (std::isalpha(static_cast<unsigned char>(s_[p_])) || s_[p_] == '_'))
      fail("malformed number");
    if (!out) return;
    out->text.assign(s_.substr(start, end - start));
    errno = 0;
    out->real = std::strtod(out->text.c_str(), nullptr);
    if (real) {
      out->kind = PyValue::Kind::real;
    } else {
      out->kind = PyValue::Kind::integer;
      errno = 0;
      out->integer = std::strtoll(out->text.c_str(), nullptr, 10);  // saturates on overflow
    }
  }

  std::string_view s_;
  std::size_t p_ = 0;
};

}  // namespace

PyValue parse_python_literal(std::string_view text) {
  Parser parser(text);
  PyValue v;
  parser.value(&v);
  parser.finish();
  return v;
}

PyValue parse_python_dict(std::string_view text, const std::vector<std::string_view>& keep) {
  Parser parser(text);
  PyValue v;
  parser.dict(&v, 0, &keep);
  parser.finish();
  return v;
}

}  // namespace atrank::data

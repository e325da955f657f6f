// Runs the built atrank binary as a user would (argv, working directory) and captures what it
// prints, so tests can check exit codes, messages and the files a command writes.
#pragma once

#include <string>
#include <vector>

namespace atrank::test {

struct Outcome {
  int code = -1;  // exit status; 128 + signal when killed by one
  std::string out, err;
};

// `atrank args...` in `cwd`; stdin is /dev/null.
Outcome run_atrank(const std::vector<std::string>& args, const std::string& cwd);

// A temporary directory removed at scope exit.
class Scratch {
 public:
  Scratch();
  ~Scratch();
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// `atrank args...` in `cwd` as run_atrank, started and left running: signal it with kill(pid(), ...), then wait().
class Started {
 public:
  Started(const std::vector<std::string>& args, const std::string& cwd);
  ~Started();  // kills and reaps the process when wait() was not called
  Started(const Started&) = delete;
  Started& operator=(const Started&) = delete;
  int pid() const { return pid_; }
  Outcome wait();

 private:
  Scratch capture_;
  int pid_ = -1;
};

void write_text(const std::string& path, const std::string& text);
std::string read_text(const std::string& path);

inline bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace atrank::test

// SIGINT and SIGTERM while a run trains: the first asks it to stop after the
// current step (it then writes its checkpoint and says how to resume, and
// exits 128 + the signal: 130, 143); a second one exits at once with 128 +
// its number, without a checkpoint.
#pragma once

namespace atrank::train {

class StopSignals {
 public:
  StopSignals();   // installs the handlers
  ~StopSignals();  // restores the previous ones
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  // The first signal received (SIGINT or SIGTERM), or 0.
  int received() const;
};

// "SIGINT", "SIGTERM".
const char* signal_name(int signal);

}  // namespace atrank::train

// The handler only records the signal (and, for the second, writes a line and
// _exits): async-signal-safe calls only. Any thread may run it.
#include "atrank/train/stop_signals.hpp"

#include <unistd.h>

#include <csignal>

namespace atrank::train {

namespace {

volatile std::sig_atomic_t g_received = 0;
struct sigaction g_previous_int, g_previous_term;

void say(const char* text, std::size_t size) {
  const ssize_t w = ::write(STDERR_FILENO, text, size);
  (void)w;
}

void on_signal(int signal) {
  if (g_received != 0) {
    static const char text[] = "\natrank: second signal: exiting at once, without a checkpoint\n";
    say(text, sizeof text - 1);
    ::_exit(128 + signal);
  }
  g_received = signal;
  static const char text[] =
      "\natrank: stopping after the current step to write a checkpoint (a second signal exits at once)\n";
  say(text, sizeof text - 1);
}

}  // namespace

StopSignals::StopSignals() {
  g_received = 0;
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;  // reads and writes in progress continue
  ::sigaction(SIGINT, &action, &g_previous_int);
  ::sigaction(SIGTERM, &action, &g_previous_term);
}

StopSignals::~StopSignals() {
  ::sigaction(SIGINT, &g_previous_int, nullptr);
  ::sigaction(SIGTERM, &g_previous_term, nullptr);
}

int StopSignals::received() const { return g_received; }

const char* signal_name(int signal) {
  switch (signal) {
    case SIGINT: return "SIGINT";
    case SIGTERM: return "SIGTERM";
    default: return "a signal";
  }
}

}  // namespace atrank::train

#pragma once
// Runs the real lifeline binary from tests: one-shot commands and a background server.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <string>
#include <thread>
#include <vector>

namespace lifeline::testing {

struct CommandResult {
    int exit_code = -1;
    std::string out;
    std::string err;
};

/// Runs lifeline with arguments, optional stdin text and extra environment; waits for it.
inline CommandResult RunLifeline(const std::vector<std::string>& args, const std::string& stdin_text = "",
                                 const std::map<std::string, std::string>& env = {}) {
    int in[2], out[2], err[2];
    if (::pipe(in) != 0 || ::pipe(out) != 0 || ::pipe(err) != 0) return {};
    pid_t pid = ::fork();
    if (pid == 0) {
        ::dup2(in[0], 0);
        ::dup2(out[1], 1);
        ::dup2(err[1], 2);
        for (int fd : {in[0], in[1], out[0], out[1], err[0], err[1]}) ::close(fd);
        for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
        std::vector<char*> argv{const_cast<char*>(LIFELINE_BINARY)};
        for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        ::execv(LIFELINE_BINARY, argv.data());
        ::_exit(127);
    }
    ::close(in[0]);
    ::close(out[1]);
    ::close(err[1]);
    if (!stdin_text.empty()) (void)!::write(in[1], stdin_text.data(), stdin_text.size());
    ::close(in[1]);
    CommandResult r;
    pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
    int open = 2;
    while (open > 0) {
        if (::poll(fds, 2, 30'000) <= 0) break;
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP))) continue;
            char buf[4096];
            auto n = ::read(fds[i].fd, buf, sizeof buf);
            if (n <= 0) {
                ::close(fds[i].fd);
                fds[i].fd = -1;
                --open;
            } else {
                (i == 0 ? r.out : r.err).append(buf, static_cast<std::size_t>(n));
            }
        }
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return r;
}

/// `lifeline serve` in the background on a free port; stopped with SIGTERM on destruction.
class ServerProcess {
public:
    explicit ServerProcess(std::vector<std::string> args) {
        int out[2], err[2];
        if (::pipe(out) != 0 || ::pipe(err) != 0) return;
        pid_ = ::fork();
        if (pid_ == 0) {
            ::dup2(out[1], 1);
            ::dup2(err[1], 2);
            for (int fd : {out[0], out[1], err[0], err[1]}) ::close(fd);
            std::vector<char*> argv{const_cast<char*>(LIFELINE_BINARY)};
            for (auto& a : args) argv.push_back(a.data());
            argv.push_back(nullptr);
            ::execv(LIFELINE_BINARY, argv.data());
            ::_exit(127);
        }
        ::close(out[1]);
        ::close(err[1]);
        out_ = out[0];
        err_ = err[0];
        // Wait for "listening on PORT".
        std::string text;
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
        while (std::chrono::steady_clock::now() < deadline) {
            pollfd p{out_, POLLIN, 0};
            if (::poll(&p, 1, 200) > 0) {
                char buf[512];
                auto n = ::read(out_, buf, sizeof buf);
                if (n <= 0) break;
                text.append(buf, static_cast<std::size_t>(n));
                auto pos = text.find("listening on ");
                if (pos != std::string::npos && text.find('\n', pos) != std::string::npos) {
                    port_ = std::stoi(text.substr(pos + 13));
                    break;
                }
            }
        }
    }
    ~ServerProcess() {
        if (pid_ > 0 && exit_code_ < 0) Stop();
        if (out_ >= 0) ::close(out_);
        if (err_ >= 0) ::close(err_);
    }
    int port() const { return port_; }
    /// SIGTERM, then the exit code (or 128+signal); -1 if it did not stop within the timeout.
    int Stop(int sig = SIGTERM, std::chrono::seconds timeout = std::chrono::seconds(20)) {
        ::kill(pid_, sig);
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        int status = 0;
        while (std::chrono::steady_clock::now() < deadline) {
            if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
                return exit_code_;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        exit_code_ = 137;
        return -1;
    }
    /// Everything the server wrote to stderr so far (non-blocking).
    std::string Stderr() {
        std::string text;
        ::fcntl(err_, F_SETFL, O_NONBLOCK);
        char buf[4096];
        ssize_t n;
        while ((n = ::read(err_, buf, sizeof buf)) > 0) text.append(buf, static_cast<std::size_t>(n));
        return text;
    }

private:
    pid_t pid_ = -1;
    int out_ = -1;
    int err_ = -1;
    int port_ = 0;
    int exit_code_ = -1;
};

/// The value after "label:" on its line in a command's output.
inline std::string Field(const std::string& out, const std::string& label) {
    auto pos = out.find(label + ":");
    if (pos == std::string::npos) return {};
    pos += label.size() + 1;
    while (pos < out.size() && out[pos] == ' ') ++pos;
    return out.substr(pos, out.find('\n', pos) - pos);
}

}  // namespace lifeline::testing

// ntmis-tcp-proxy: a loopback TCP proxy that breaks connections on purpose,
// for the sync fault-injection run (tests/fault/sync_faults.sh).
//
//   ntmis-tcp-proxy --target HOST:PORT --port-file FILE
//                   [--faulty N] [--seed S] [--stall-ms MS]
//
// The first N connections (default 10) each suffer one fault at a random
// point after 1 KiB to 1 MiB of traffic: a reset (RST), a silent drop of
// both directions (the connection stays open, nothing more passes), or a
// stall of --stall-ms before traffic resumes. Later connections pass
// untouched: the network has healed. Prints one line per fault on stderr.
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <thread>

namespace {

enum class Fault { kNone, kReset, kDrop, kStall };

const char* Name(Fault f) {
  switch (f) {
    case Fault::kReset:
      return "reset";
    case Fault::kDrop:
      return "drop";
    case Fault::kStall:
      return "stall";
    default:
      return "none";
  }
}

int Connect(const std::string& host, const std::string& port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (getaddrinfo(host.c_str(), port.c_str(), &hints, &res) != 0) return -1;
  int fd = -1;
  for (addrinfo* a = res; a; a = a->ai_next) {
    fd = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
    if (fd < 0) continue;
    if (connect(fd, a->ai_addr, a->ai_addrlen) == 0) break;
    close(fd);
    fd = -1;
  }
  freeaddrinfo(res);
  return fd;
}

void Reset(int fd) {
  linger l{1, 0};  // close with RST
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
}

// Copies both ways until either side closes, applying `fault` once `after`
// bytes have passed.
void Pump(int client, int server, Fault fault, uint64_t after, int stall_ms,
          int id) {
  char buf[65536];
  uint64_t passed = 0;
  bool faulted = false;
  pollfd fds[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
  while (true) {
    if (poll(fds, 2, 1000) < 0) break;
    bool closed = false;
    for (int i = 0; i < 2 && !closed; ++i) {
      if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n <= 0) {
        closed = true;
        break;
      }
      if (faulted && fault == Fault::kDrop) continue;  // swallowed
      int to = i == 0 ? server : client;
      for (ssize_t off = 0; off < n;) {
        ssize_t w = write(to, buf + off, n - off);
        if (w <= 0) {
          closed = true;
          break;
        }
        off += w;
      }
      passed += n;
      if (!faulted && fault != Fault::kNone && passed >= after) {
        faulted = true;
        std::cerr << "ntmis-tcp-proxy: connection " << id << ": " << Name(fault)
                  << " after " << passed << " bytes\n";
        if (fault == Fault::kReset) {
          Reset(client);
          Reset(server);
          closed = true;
        } else if (fault == Fault::kStall) {
          std::this_thread::sleep_for(std::chrono::milliseconds(stall_ms));
        }
      }
    }
    if (closed) break;
  }
  close(client);
  close(server);
}

}  // namespace

int main(int argc, char** argv) {
  std::string target, port_file;
  int faulty = 10, stall_ms = 8000;
  unsigned seed = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--target")
      target = value;
    else if (flag == "--port-file")
      port_file = value;
    else if (flag == "--faulty")
      faulty = std::stoi(value);
    else if (flag == "--seed")
      seed = static_cast<unsigned>(std::stoul(value));
    else if (flag == "--stall-ms")
      stall_ms = std::stoi(value);
    else {
      std::cerr << "ntmis-tcp-proxy: unknown flag " << flag << "\n";
      return 2;
    }
  }
  size_t colon = target.rfind(':');
  if (colon == std::string::npos || port_file.empty()) {
    std::cerr << "usage: ntmis-tcp-proxy --target HOST:PORT --port-file FILE "
                 "[--faulty N] "
                 "[--seed S] [--stall-ms MS]\n";
    return 2;
  }
  const std::string host = target.substr(0, colon),
                    port = target.substr(colon + 1);

  int listener = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);  // loopback only
  if (bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      listen(listener, 64) != 0) {
    std::perror("ntmis-tcp-proxy: listen");
    return 1;
  }
  socklen_t len = sizeof addr;
  getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
  std::ofstream(port_file) << ntohs(addr.sin_port) << "\n";

  std::mt19937 rng(seed);
  for (int id = 1;; ++id) {
    int client = accept(listener, nullptr, nullptr);
    if (client < 0) continue;
    int server = Connect(host, port);
    if (server < 0) {
      Reset(client);
      close(client);
      continue;
    }
    Fault fault = Fault::kNone;
    if (id <= faulty) fault = static_cast<Fault>(1 + rng() % 3);
    uint64_t after = 1024 + rng() % (1u << 20);
    std::thread(Pump, client, server, fault, after, stall_ms, id).detach();
  }
}

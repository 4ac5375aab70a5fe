// Linux SG_IO in plain POSIX C++: open a drive node, send one CDB, close. No Node.js here, so this
// file can be read (and tested) against the kernel's sg.h alone. See docs/native.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace discrescue::sg {

// Largest data transfer one command may carry, whatever the device says (bounds the copies).
inline constexpr std::size_t kMaxDataBytes = 16 * 1024 * 1024;
// Largest sense buffer SPC defines; sg_io_hdr.mx_sb_len is a byte.
inline constexpr std::size_t kSenseBytes = 252;
inline constexpr std::size_t kMinCdbBytes = 6;
inline constexpr std::size_t kMaxCdbBytes = 16;
// What we ask an sg node to reserve, and assume when nothing better is known (MMC-FACTS §1.9).
inline constexpr std::uint32_t kDefaultTransferBytes = 64 * 1024;

enum class Access { ReadOnly, ReadWrite, Auto };
enum class Direction { None, FromDevice, ToDevice };
enum class Kind { Sg, Block };

// A failed system call, Node-style. `detail` replaces strerror's text when the errno alone would
// mislead (a regular file reported as ENOTTY says why); `hint` says what to do about it.
struct SystemError {
  int errnum = 0;  // positive errno
  std::string syscall;
  std::string detail;
  std::string hint;
};

struct OpenRequest {
  std::string path;
  bool exclusive = false;
  Access access = Access::Auto;
  // Only the test build clears this, to get a Device on a node without SG_IO (see docs/native.md).
  bool requireScsi = true;
};

struct OpenedDevice {
  int fd = -1;
  bool writable = false;
  Kind kind = Kind::Sg;
  std::uint32_t maxTransferBytes = kDefaultTransferBytes;
};

struct ExecuteRequest {
  std::vector<std::uint8_t> cdb;
  Direction direction = Direction::None;
  // FromDevice: bytes to receive. ToDevice: ignored (dataOut's size is used).
  std::size_t dataInLength = 0;
  std::vector<std::uint8_t> dataOut;
  std::uint32_t timeoutMs = 30000;
};

// Everything the kernel reported, uninterpreted: judging it is the caller's job.
struct Completion {
  std::uint8_t status = 0;
  std::uint8_t maskedStatus = 0;
  std::uint16_t hostStatus = 0;
  std::uint16_t driverStatus = 0;
  std::int32_t residual = 0;
  std::uint32_t durationMs = 0;
  std::uint32_t info = 0;
  std::vector<std::uint8_t> sense;
  // FromDevice: the dataInLength − residual bytes received (clamped to the buffer). Else empty.
  std::vector<std::uint8_t> dataIn;
};

using OpenResult = std::variant<OpenedDevice, SystemError>;
using ExecuteResult = std::variant<Completion, SystemError>;

// Opens with O_NONBLOCK|O_CLOEXEC (and O_EXCL when asked), checks that the node speaks SG_IO and
// measures the largest transfer. Blocks briefly on sr nodes: call it off the main thread.
OpenResult openDevice(const OpenRequest& request);

// One SG_IO ioctl. Never retries the command and never looks at the sense data.
ExecuteResult execute(int fd, ExecuteRequest request);

void closeDevice(int fd);

// "ENOENT" for 2; "UNKNOWN" for errnos this table does not name.
const char* errnoName(int errnum);

// strerror text with a lower-case first letter, as Node prints it.
std::string errnoDescription(int errnum);

}  // namespace discrescue::sg

#include "sg_io.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <scsi/sg.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <utility>

namespace discrescue::sg {
namespace {

// SCSI_GENERIC_MAJOR in linux/major.h. Other char nodes may answer SG_GET_VERSION_NUM (bsg does)
// but take a different header, so SG_IO v3 would fail there with a puzzling EINVAL.
constexpr unsigned kSgMajor = 21;
// The v3 sg_io_hdr interface (MMC-FACTS §1.9).
constexpr int kMinSgVersion = 30000;

SystemError systemError(int errnum, const char* syscall, std::string detail = {}, std::string hint = {}) {
  return SystemError{errnum, syscall, std::move(detail), std::move(hint)};
}

// Errors of a read-write open that a read-only one may not hit. EISDIR is here so that a directory
// gets the same "not a SCSI device" answer as a regular file.
bool isWriteRefusal(int errnum) { return errnum == EACCES || errnum == EPERM || errnum == EROFS || errnum == EISDIR; }

int openOnce(const std::string& path, int accessFlag, bool exclusive) {
  const int flags = accessFlag | O_NONBLOCK | O_CLOEXEC | (exclusive ? O_EXCL : 0);
  int fd = -1;
  do {
    fd = ::open(path.c_str(), flags);
  } while (fd < 0 && errno == EINTR);
  return fd;
}

bool isCharDevicePath(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISCHR(st.st_mode);
}

const char* fileTypeName(mode_t mode) {
  if (S_ISREG(mode)) return "a regular file";
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a device node";
}

SystemError failAndClose(int fd, SystemError error) {
  closeDevice(fd);
  return error;
}

std::uint32_t measureMaxTransfer(int fd, Kind kind) {
  std::uint64_t bytes = 0;
  if (kind == Kind::Block) {
    // Larger requests fail with EIO on the block path; both probes report max_sectors.
    unsigned short sectors = 0;
    if (::ioctl(fd, BLKSECTGET, &sectors) == 0 && sectors > 0) bytes = std::uint64_t{sectors} * 512;
    int reserved = 0;
    if (::ioctl(fd, SG_GET_RESERVED_SIZE, &reserved) == 0 && reserved > 0) {
      const auto reservedBytes = static_cast<std::uint64_t>(reserved);
      bytes = bytes == 0 ? reservedBytes : std::min(bytes, reservedBytes);
    }
  } else {
    // The sg reserved buffer defaults to 32 KiB; ask for more and keep what was granted.
    int wanted = static_cast<int>(kDefaultTransferBytes);
    (void)::ioctl(fd, SG_SET_RESERVED_SIZE, &wanted);
    int granted = 0;
    if (::ioctl(fd, SG_GET_RESERVED_SIZE, &granted) == 0 && granted > 0) bytes = static_cast<std::uint64_t>(granted);
  }
  if (bytes == 0) bytes = kDefaultTransferBytes;
  return static_cast<std::uint32_t>(std::min<std::uint64_t>(bytes, kMaxDataBytes));
}

// GNU and XSI strerror_r differ in return type; overloads pick whichever libc provides.
[[maybe_unused]] std::string strerrorText(const char* result, const char*) { return result; }
[[maybe_unused]] std::string strerrorText(int rc, const char* buffer) { return rc == 0 ? buffer : "unknown error"; }

}  // namespace

OpenResult openDevice(const OpenRequest& request) {
  int fd = -1;
  bool writable = false;
  int readWriteErrno = 0;
  if (request.access != Access::ReadOnly) {
    fd = openOnce(request.path, O_RDWR, request.exclusive);
    if (fd >= 0) {
      writable = true;
    } else {
      readWriteErrno = errno;
      if (request.access == Access::ReadWrite || !isWriteRefusal(readWriteErrno)) {
        return systemError(readWriteErrno, "open");
      }
    }
  }
  if (fd < 0) {
    fd = openOnce(request.path, O_RDONLY, request.exclusive);
    if (fd < 0) {
      const int errnum = errno;
      if (errnum == EPERM && request.exclusive && isCharDevicePath(request.path)) {
        std::string hint = "the sg driver refuses O_EXCL on a read-only descriptor";
        if (readWriteErrno != 0) {
          hint += std::string(" and the read-write open failed with ") + errnoName(readWriteErrno);
        }
        hint += "; get write access to the node or open it without exclusive";
        return systemError(errnum, "open", "", hint);
      }
      return systemError(errnum, "open");
    }
  }

  struct stat st {};
  if (::fstat(fd, &st) != 0) return failAndClose(fd, systemError(errno, "fstat"));
  Kind kind = Kind::Sg;
  if (S_ISBLK(st.st_mode)) {
    kind = Kind::Block;
  } else if (!S_ISCHR(st.st_mode)) {
    return failAndClose(
        fd, systemError(ENOTTY, "fstat", std::string("not a SCSI device (") + fileTypeName(st.st_mode) + ")"));
  }

  if (!request.requireScsi) return OpenedDevice{fd, writable, kind, kDefaultTransferBytes};

  int version = 0;
  if (::ioctl(fd, SG_GET_VERSION_NUM, &version) != 0) {
    const int errnum = errno;
    if (errnum == ENOTTY || errnum == EINVAL) {
      return failAndClose(fd, systemError(ENOTTY, "ioctl", "not a SCSI device (SG_GET_VERSION_NUM refused)"));
    }
    return failAndClose(fd, systemError(errnum, "ioctl"));
  }
  if (version < kMinSgVersion) {
    return failAndClose(fd, systemError(ENOTTY, "ioctl", "not a SCSI device (sg driver older than version 3)"));
  }
  if (kind == Kind::Sg && ::major(st.st_rdev) != kSgMajor) {
    return failAndClose(fd, systemError(ENOTTY, "ioctl",
                                        "not a SCSI device (a char node of another driver; use /dev/sgN or /dev/srN)"));
  }

  return OpenedDevice{fd, writable, kind, measureMaxTransfer(fd, kind)};
}

ExecuteResult execute(int fd, ExecuteRequest request) {
  // The addon validates first; these guard the header fields, which are narrow.
  if (request.cdb.size() < kMinCdbBytes || request.cdb.size() > kMaxCdbBytes) {
    return systemError(EINVAL, "ioctl", "invalid argument (CDB length out of range)");
  }
  if (request.dataInLength > kMaxDataBytes || request.dataOut.size() > kMaxDataBytes) {
    return systemError(EINVAL, "ioctl", "invalid argument (transfer too large)");
  }

  Completion completion;
  std::array<std::uint8_t, kSenseBytes> sense{};
  sg_io_hdr_t header;
  std::memset(&header, 0, sizeof header);
  header.interface_id = 'S';
  header.cmd_len = static_cast<unsigned char>(request.cdb.size());
  header.cmdp = request.cdb.data();
  header.mx_sb_len = static_cast<unsigned char>(sense.size());
  header.sbp = sense.data();
  header.timeout = request.timeoutMs;
  switch (request.direction) {
    case Direction::None:
      header.dxfer_direction = SG_DXFER_NONE;
      break;
    case Direction::FromDevice:
      completion.dataIn.resize(request.dataInLength);
      header.dxfer_direction = SG_DXFER_FROM_DEV;
      header.dxferp = completion.dataIn.data();
      header.dxfer_len = static_cast<unsigned int>(completion.dataIn.size());
      break;
    case Direction::ToDevice:
      header.dxfer_direction = SG_DXFER_TO_DEV;
      header.dxferp = request.dataOut.data();
      header.dxfer_len = static_cast<unsigned int>(request.dataOut.size());
      break;
  }

  // The block path waits uninterruptibly; sg returns EINTR only when a handler without
  // SA_RESTART interrupted the wait, and the kernel would otherwise restart the same call itself.
  int rc = -1;
  do {
    rc = ::ioctl(fd, SG_IO, &header);
  } while (rc < 0 && errno == EINTR);
  if (rc < 0) return systemError(errno, "ioctl");

  completion.status = header.status;
  completion.maskedStatus = header.masked_status;
  completion.hostStatus = header.host_status;
  completion.driverStatus = header.driver_status;
  completion.residual = header.resid;
  completion.durationMs = header.duration;
  completion.info = header.info;
  const std::size_t senseLength = std::min<std::size_t>(header.sb_len_wr, sense.size());
  completion.sense.assign(sense.begin(), sense.begin() + static_cast<std::ptrdiff_t>(senseLength));
  if (request.direction == Direction::FromDevice) {
    // An out-of-range resid is passed on as is for the caller to judge; the data stays in bounds.
    const auto length = static_cast<std::int64_t>(completion.dataIn.size());
    const std::int64_t received = std::clamp<std::int64_t>(length - header.resid, 0, length);
    completion.dataIn.resize(static_cast<std::size_t>(received));
  }
  return completion;
}

void closeDevice(int fd) {
  // Not retried on EINTR: Linux releases the descriptor either way.
  if (fd >= 0) ::close(fd);
}

const char* errnoName(int errnum) {
  // Those open(2), fstat(2) and ioctl(2) on a drive can plausibly return, and their neighbours.
  constexpr std::pair<int, const char*> kNames[] = {
      {EPERM, "EPERM"},
      {ENOENT, "ENOENT"},
      {ESRCH, "ESRCH"},
      {EINTR, "EINTR"},
      {EIO, "EIO"},
      {ENXIO, "ENXIO"},
      {E2BIG, "E2BIG"},
      {EBADF, "EBADF"},
      {EAGAIN, "EAGAIN"},
      {ENOMEM, "ENOMEM"},
      {EACCES, "EACCES"},
      {EFAULT, "EFAULT"},
      {ENOTBLK, "ENOTBLK"},
      {EBUSY, "EBUSY"},
      {EEXIST, "EEXIST"},
      {EXDEV, "EXDEV"},
      {ENODEV, "ENODEV"},
      {ENOTDIR, "ENOTDIR"},
      {EISDIR, "EISDIR"},
      {EINVAL, "EINVAL"},
      {ENFILE, "ENFILE"},
      {EMFILE, "EMFILE"},
      {ENOTTY, "ENOTTY"},
      {ETXTBSY, "ETXTBSY"},
      {EFBIG, "EFBIG"},
      {ENOSPC, "ENOSPC"},
      {EROFS, "EROFS"},
      {EPIPE, "EPIPE"},
      {ENAMETOOLONG, "ENAMETOOLONG"},
      {ENOSYS, "ENOSYS"},
      {ELOOP, "ELOOP"},
      {ENOLINK, "ENOLINK"},
      {EPROTO, "EPROTO"},
      {EOVERFLOW, "EOVERFLOW"},
      {EOPNOTSUPP, "EOPNOTSUPP"},
      {ETIMEDOUT, "ETIMEDOUT"},
      {ECANCELED, "ECANCELED"},
      {ENOMEDIUM, "ENOMEDIUM"},
      {EMEDIUMTYPE, "EMEDIUMTYPE"},
      {EREMOTEIO, "EREMOTEIO"},
  };
  for (const auto& [value, name] : kNames) {
    if (value == errnum) return name;
  }
  return "UNKNOWN";
}

std::string errnoDescription(int errnum) {
  std::array<char, 256> buffer{};
  std::string text = strerrorText(::strerror_r(errnum, buffer.data(), buffer.size()), buffer.data());
  if (!text.empty() && text[0] >= 'A' && text[0] <= 'Z') text[0] = static_cast<char>(text[0] - 'A' + 'a');
  return text;
}

}  // namespace discrescue::sg

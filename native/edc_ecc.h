// Verification of raw 2352-byte CD data sectors: sync, header address and mode, EDC (ECMA-130
// §14), ECC P/Q consistency (ECMA-130 Annex A), CD-ROM XA subheaders. Plain C++20, no Node.js;
// the same algorithm and result codes as lib/cd/verify-raw.ts (see that file).
#pragma once

#include <cstddef>
#include <cstdint>

namespace discrescue::edc_ecc {

inline constexpr std::size_t kSectorBytes = 2352;

// Result code bits (RawSectorFlags in lib/cd/verify-raw.ts).
inline constexpr std::uint16_t kSync = 0x001;
inline constexpr std::uint16_t kAddress = 0x002;
inline constexpr std::uint16_t kMode = 0x004;
inline constexpr std::uint16_t kEdc = 0x008;
inline constexpr std::uint16_t kEccP = 0x010;
inline constexpr std::uint16_t kEccQ = 0x020;
inline constexpr std::uint16_t kSubheader = 0x040;
inline constexpr std::uint16_t kUnread = 0x080;
inline constexpr std::uint16_t kForm2 = 0x100;
inline constexpr std::uint16_t kNoEdc = 0x200;
inline constexpr std::uint16_t kZeroField = 0x400;

// EDC of data[0, length): CRC-32 0x8001801B reflected, initial 0, no final XOR.
std::uint32_t Edc(const std::uint8_t* data, std::size_t length);

// Codes of `count` sectors at `data` (sector i at LBA first_lba + i) into `out`. `mode` is the
// track's mode (1 or 2), or 0 to follow each sector's mode byte.
void VerifySectors(const std::uint8_t* data, std::size_t count, std::int64_t first_lba, int mode, std::uint16_t* out);

}  // namespace discrescue::edc_ecc

// See edc_ecc.h. EDC by slicing-by-16 tables; ECC by syndromes on 64-bit words, eight GF(2^8)
// symbols at a time: P on the rows of the 26 x 86 grid of bytes 12-2247, Q on 16-bit pairs
// gathered along its diagonals (lib/cd/verify-raw.ts explains the grid).
#include "edc_ecc.h"

#include <array>
#include <cstring>

namespace discrescue::edc_ecc {
namespace {

struct EdcTables {
  std::uint32_t t[16][256];
  EdcTables() {
    for (std::uint32_t i = 0; i < 256; i++) {
      std::uint32_t crc = i;
      for (int bit = 0; bit < 8; bit++) crc = (crc & 1) ? (crc >> 1) ^ 0xD8018001u : crc >> 1;
      t[0][i] = crc;
    }
    for (int k = 1; k < 16; k++) {
      for (int i = 0; i < 256; i++) t[k][i] = (t[k - 1][i] >> 8) ^ t[0][t[k - 1][i] & 0xff];
    }
  }
};

const EdcTables kEdcTables;

// Little-endian hosts only (x86-64, arm64: what the addon is built for).
inline std::uint32_t Load32(const std::uint8_t* p) {
  std::uint32_t x;
  std::memcpy(&x, p, 4);
  return x;
}

// alpha * x on each byte (GF(2^8), polynomial 0x11D).
inline std::uint64_t MulAlpha(std::uint64_t x) {
  return ((x & 0x7f7f7f7f7f7f7f7fULL) << 1) ^ (((x >> 7) & 0x0101010101010101ULL) * 0x1d);
}

constexpr int kRows = 26;
constexpr int kColumns = 86;
constexpr int kGridBytes = kRows * kColumns;  // 2236: bytes 12-2247

inline std::uint64_t Load64(const std::uint8_t* p) {
  std::uint64_t x;
  std::memcpy(&x, p, 8);
  return x;  // little-endian hosts only (x86-64, arm64): byte i is bits 8i..8i+7
}

inline std::uint64_t Load16(const std::uint8_t* p) {
  std::uint16_t x;
  std::memcpy(&x, p, 2);
  return x;
}

// True when every P codeword (column) of the grid is consistent. Lanes are loaded straight from
// the grid (no copy), the last one masked to the row's 6 remaining bytes.
bool PConsistent(const std::uint8_t* grid) {
  std::uint64_t s0[11] = {};
  std::uint64_t s1[11] = {};
  for (int r = 0; r < kRows; r++) {
    const std::uint8_t* row = grid + r * kColumns;
    for (int j = 0; j < 10; j++) {
      const std::uint64_t lane = Load64(row + 8 * j);
      s0[j] ^= lane;
      s1[j] = MulAlpha(s1[j]) ^ lane;
    }
    std::uint64_t last = 0;
    std::memcpy(&last, row + 80, 6);
    s0[10] ^= last;
    s1[10] = MulAlpha(s1[10]) ^ last;
  }
  std::uint64_t any = 0;
  for (int j = 0; j < 11; j++) any |= s0[j] | s1[j];
  return any == 0;
}

// True when every Q codeword of the grid and the Q parity (`q`, 104 bytes) is consistent. Lane k
// holds the pairs of w = 4k…4k+3, assembled in registers. The grid is laid out three times in a
// row so that row (w + m) mod 26 is simply row w + m: the gather has fixed strides, no branches.
bool QConsistent(const std::uint8_t* grid, const std::uint8_t* q) {
  constexpr int kTripleRows = kRows + 42;  // w + m reaches 25 + 42
  alignas(8) std::uint8_t rows[kTripleRows * kColumns];
  std::memcpy(rows, grid, kGridBytes);
  std::memcpy(rows + kGridBytes, grid, kGridBytes);
  std::memcpy(rows + 2 * kGridBytes, grid, (kTripleRows - 2 * kRows) * kColumns);
  std::uint64_t s0[7] = {};
  std::uint64_t s1[7] = {};
  for (int m = 0; m < 43; m++) {
    // Pair m of row w + m: byte 86(w + m) + 2m = 88m + 86w.
    const std::uint8_t* base = rows + 88 * m;
    for (int k = 0; k < 7; k++) {
      const int w = 4 * k;
      std::uint64_t lane = Load16(base + kColumns * w) | (Load16(base + kColumns * (w + 1)) << 16);
      if (k < 6) lane |= (Load16(base + kColumns * (w + 2)) << 32) | (Load16(base + kColumns * (w + 3)) << 48);
      s0[k] ^= lane;
      s1[k] = MulAlpha(s1[k]) ^ lane;
    }
  }
  for (int part = 0; part < 2; part++) {
    const std::uint8_t* parity = q + 52 * part;
    for (int k = 0; k < 7; k++) {
      std::uint64_t lane = 0;
      std::memcpy(&lane, parity + 8 * k, k == 6 ? 4 : 8);
      s0[k] ^= lane;
      s1[k] = MulAlpha(s1[k]) ^ lane;
    }
  }
  std::uint64_t any = 0;
  for (int k = 0; k < 7; k++) any |= s0[k] | s1[k];
  return any == 0;
}

constexpr std::uint8_t kSyncPattern[12] = {0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00};

inline std::uint8_t Bcd(int value) { return static_cast<std::uint8_t>((value / 10) * 16 + value % 10); }

bool AllZero(const std::uint8_t* p, std::size_t n) {
  for (std::size_t i = 0; i < n; i++)
    if (p[i] != 0) return false;
  return true;
}

std::uint16_t VerifyOne(const std::uint8_t* s, std::int64_t lba, int mode) {
  std::uint16_t code = 0;
  if (std::memcmp(s, kSyncPattern, 12) != 0) {
    if (AllZero(s, kSectorBytes)) return kUnread;
    code |= kSync;
  }
  if (lba < -45150 || lba > 404849) {
    code |= kAddress;
  } else {
    const int x = static_cast<int>(lba < -150 ? lba + 450150 : lba + 150);
    if (s[12] != Bcd(x / 4500) || s[13] != Bcd((x / 75) % 60) || s[14] != Bcd(x % 75)) code |= kAddress;
  }
  const int actual = s[15];
  if ((mode != 0 && actual != mode) || (actual != 1 && actual != 2)) code |= kMode;
  if (actual == 1) {
    if (Edc(s, 2064) != Load32(s + 2064)) code |= kEdc;
    if (!AllZero(s + 2068, 8)) code |= kZeroField;
    if (!PConsistent(s + 12)) code |= kEccP;
    if (!QConsistent(s + 12, s + 2248)) code |= kEccQ;
  } else if (actual == 2) {
    if (std::memcmp(s + 16, s + 20, 4) != 0) code |= kSubheader;
    if (s[18] & 0x20) {
      code |= kForm2;
      const std::uint32_t stored = Load32(s + 2348);
      if (stored == 0) code |= kNoEdc;
      else if (Edc(s + 16, 2332) != stored) code |= kEdc;
    } else {
      if (Edc(s + 16, 2056) != Load32(s + 2072)) code |= kEdc;
      // Form 1 ECC takes the header as zero.
      alignas(8) std::uint8_t grid[kGridBytes];
      std::memcpy(grid, s + 12, kGridBytes);
      std::memset(grid, 0, 4);
      if (!PConsistent(grid)) code |= kEccP;
      if (!QConsistent(grid, s + 2248)) code |= kEccQ;
    }
  }
  return code;
}

}  // namespace

std::uint32_t Edc(const std::uint8_t* p, std::size_t length) {
  const auto& t = kEdcTables.t;
  std::uint32_t crc = 0;
  while (length >= 16) {
    const std::uint32_t a = Load32(p) ^ crc;
    const std::uint32_t b = Load32(p + 4);
    const std::uint32_t c = Load32(p + 8);
    const std::uint32_t d = Load32(p + 12);
    crc = t[15][a & 0xff] ^ t[14][(a >> 8) & 0xff] ^ t[13][(a >> 16) & 0xff] ^ t[12][a >> 24] ^
          t[11][b & 0xff] ^ t[10][(b >> 8) & 0xff] ^ t[9][(b >> 16) & 0xff] ^ t[8][b >> 24] ^
          t[7][c & 0xff] ^ t[6][(c >> 8) & 0xff] ^ t[5][(c >> 16) & 0xff] ^ t[4][c >> 24] ^
          t[3][d & 0xff] ^ t[2][(d >> 8) & 0xff] ^ t[1][(d >> 16) & 0xff] ^ t[0][d >> 24];
    p += 16;
    length -= 16;
  }
  while (length >= 8) {
    const std::uint32_t one = Load32(p) ^ crc;
    const std::uint32_t two = Load32(p + 4);
    crc = t[7][one & 0xff] ^ t[6][(one >> 8) & 0xff] ^ t[5][(one >> 16) & 0xff] ^ t[4][one >> 24] ^
          t[3][two & 0xff] ^ t[2][(two >> 8) & 0xff] ^ t[1][(two >> 16) & 0xff] ^ t[0][two >> 24];
    p += 8;
    length -= 8;
  }
  while (length-- > 0) crc = (crc >> 8) ^ t[0][(crc ^ *p++) & 0xff];
  return crc;
}

void VerifySectors(const std::uint8_t* data, std::size_t count, std::int64_t first_lba, int mode, std::uint16_t* out) {
  for (std::size_t i = 0; i < count; i++) {
    out[i] = VerifyOne(data + i * kSectorBytes, first_lba + static_cast<std::int64_t>(i), mode);
  }
}

}  // namespace discrescue::edc_ecc

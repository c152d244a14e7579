#include "common/base/dates.h"

#include <ctime>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"

namespace ntmis {

std::string Date::ToString() const {
  // Hand-formatted: this runs for every imported and synced record.
  char out[10];
  auto put = [&out](int at, int width, int value) {
    for (int i = width - 1; i >= 0; --i, value /= 10)
      out[at + i] = static_cast<char>('0' + value % 10);
  };
  put(0, 4, year);
  out[4] = '-';
  put(5, 2, month);
  out[7] = '-';
  put(8, 2, day);
  return std::string(out, sizeof(out));
}

int Date::Compare(const Date& other) const {
  if (year != other.year) return year < other.year ? -1 : 1;
  if (month != other.month) return month < other.month ? -1 : 1;
  if (day != other.day) return day < other.day ? -1 : 1;
  return 0;
}

bool IsLeapYear(int year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30,
                                  31, 31, 30, 31, 30, 31};
  if (month == 2 && IsLeapYear(year)) return 29;
  return kDays[month - 1];
}

bool IsValidDate(int year, int month, int day) {
  return year >= 1850 && year <= 2999 && month >= 1 && month <= 12 &&
         day >= 1 && day <= DaysInMonth(year, month);
}

namespace {

bool ParseDigits(absl::string_view text, int* out) {
  if (text.empty()) return false;
  int value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  *out = value;
  return true;
}

}  // namespace

std::optional<Date> ParseDate(absl::string_view text) {
  Date d;
  bool ok = false;
  if (text.size() == 8) {
    ok = ParseDigits(text.substr(0, 4), &d.year) &&
         ParseDigits(text.substr(4, 2), &d.month) &&
         ParseDigits(text.substr(6, 2), &d.day);
  } else if (text.size() == 10 && (text[4] == '-' || text[4] == '/') &&
             text[7] == text[4]) {
    ok = ParseDigits(text.substr(0, 4), &d.year) &&
         ParseDigits(text.substr(5, 2), &d.month) &&
         ParseDigits(text.substr(8, 2), &d.day);
  }
  if (!ok || !IsValidDate(d.year, d.month, d.day)) return std::nullopt;
  return d;
}

std::optional<Date> ParseEnteredDate(absl::string_view text) {
  if (std::optional<Date> plain = ParseDate(text)) return plain;
  // A midnight time after the date, as Excel writes date cells.
  for (absl::string_view midnight :
       {" 00:00:00", "T00:00:00", " 0:00:00", " 00:00", " 0:00"}) {
    if (absl::ConsumeSuffix(&text, midnight)) break;
  }
  std::vector<int> parts;
  int value = 0, digits = 0;
  auto end_part = [&] {
    if (digits == 0) return false;
    parts.push_back(value);
    value = digits = 0;
    return true;
  };
  absl::string_view separator;  // all separators must be the same
  for (size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (c >= '0' && c <= '9') {
      value = value * 10 + (c - '0');
      if (++digits > 4) return std::nullopt;
      ++i;
      continue;
    }
    absl::string_view sep;
    for (absl::string_view s : {"-", "/", ".", "年", "月", "日"}) {
      if (absl::StartsWith(text.substr(i), s)) sep = s;
    }
    if (sep.empty() || !end_part()) return std::nullopt;
    const bool chinese = sep == "年" || sep == "月" || sep == "日";
    if (chinese) {
      static constexpr absl::string_view kOrder[] = {"年", "月", "日"};
      if (parts.size() > 3 || sep != kOrder[parts.size() - 1])
        return std::nullopt;
    } else {
      if (separator.empty()) separator = sep;
      if (sep != separator || parts.size() > 2) return std::nullopt;
    }
    i += sep.size();
  }
  if (digits > 0) end_part();
  if (parts.size() != 3 || parts[0] < 1000) return std::nullopt;
  if (!IsValidDate(parts[0], parts[1], parts[2])) return std::nullopt;
  return Date{parts[0], parts[1], parts[2]};
}

Date Today() {
  std::time_t now = std::time(nullptr) + 8 * 3600;
  std::tm tm{};
  gmtime_r(&now, &tm);
  return Date{tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday};
}

int AgeOn(const Date& birth, const Date& on) {
  int age = on.year - birth.year;
  if (on.month < birth.month || (on.month == birth.month && on.day < birth.day))
    --age;
  return age;
}

}  // namespace ntmis

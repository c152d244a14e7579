#include "provincial/import/teacher_import.h"

#include <algorithm>
#include <ctime>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/base/dates.h"
#include "common/base/status_macros.h"
#include "common/teacher/code_tables.h"
#include "common/teacher/id_card.h"
#include "common/teacher/record_validation.h"
#include "common/teacher/teacher_number.h"
#include "provincial/core/access.h"
#include "provincial/core/meta_keys.h"

namespace ntmis::provincial {

namespace {

class RowReader {
 public:
  RowReader(const std::vector<std::string>& fields, const ColumnIndex& index,
            RowProblems& problems)
      : fields_(fields), index_(index), problems_(problems) {}

  std::string Text(TeacherColumn column) const {
    return std::string(absl::StripAsciiWhitespace(fields_[index_[column]]));
  }

  template <typename Enum>
  Enum Code(TeacherColumn column) {
    std::string value = Text(column);
    auto parsed = CodeTable::Of<Enum>().Parse(value);
    if (!parsed.ok()) {
      problems_.Add(Name(column), value,
                    value.empty()
                        ? absl::StrCat("必填；可选：",
                                       CodeTable::Of<Enum>().AllowedValues())
                        : std::string(parsed.status().message()));
      return static_cast<Enum>(0);
    }
    return static_cast<Enum>(*parsed);
  }

  std::optional<Date> DateField(TeacherColumn column) {
    std::string value = Text(column);
    std::optional<Date> date = ParseEnteredDate(value);
    if (!date)
      problems_.Add(
          Name(column), value,
          "必填，须为真实日期，如 2010-09-01、2010/9/1 或 2010年9月1日");
    return date;
  }

  static const std::string& Name(TeacherColumn column) {
    return TeacherTemplateColumns()[column];
  }

 private:
  const std::vector<std::string>& fields_;
  const ColumnIndex& index_;
  RowProblems& problems_;
};

}  // namespace

bool ParseTeacherRow(
    const std::vector<std::string>& fields, const ColumnIndex& index,
    int province, const absl::flat_hash_map<std::string, SchoolPlace>& schools,
    crypto::Hmac& id_hasher, ParsedTeacher* out, RowProblems& problems) {
  RowReader row(fields, index, problems);
  v1::TeacherRecord& r = out->record;
  r.Clear();
  r.set_teacher_number(MintTeacherNumber(province, 0));  // placeholder
  r.set_province(static_cast<v1::Province>(province));
  r.set_name(row.Text(kName));
  r.set_gender(row.Code<v1::Gender>(kGender));
  std::optional<Date> birth = row.DateField(kBirthDate);
  if (birth) r.set_birth_date(birth->ToString());

  out->id_card = absl::AsciiStrToUpper(row.Text(kIdCardNumber));
  auto id = ParseIdCard(out->id_card);
  if (!id.ok()) {
    problems.Add("id_card_number", MaskIdCard(out->id_card),
                 std::string(id.status().message()));
  } else {
    if (birth && !(id->birth_date == *birth))
      problems.Add("birth_date", birth->ToString(),
                   "须与身份证件号码第 7–14 位的出生日期一致");
    if (r.gender() != 0 && id->gender != r.gender())
      problems.Add("gender", row.Text(kGender),
                   "须与身份证件号码第 17 位一致（奇数为男，偶数为女）");
  }
  r.set_id_type(v1::ID_TYPE_RESIDENT_ID_CARD);
  r.set_id_hash(id_hasher.Sign(out->id_card));

  r.set_ethnicity(row.Code<v1::Ethnicity>(kEthnicity));
  std::string nationality = absl::AsciiStrToUpper(row.Text(kNationality));
  r.set_nationality(nationality.empty() ? "CHN" : nationality);
  r.set_political_status(row.Code<v1::PoliticalStatus>(kPoliticalStatus));
  std::optional<Date> hire = row.DateField(kHireDate);
  if (hire) r.set_hire_date(hire->ToString());
  r.set_employment_type(row.Code<v1::EmploymentType>(kEmploymentType));
  r.set_status(row.Code<v1::InServiceStatus>(kStatus));

  std::string school = row.Text(kSchoolCode);
  auto place = schools.find(school);
  const SchoolPlace* found = place == schools.end() ? nullptr : &place->second;
  if (std::string rule = SchoolTakesTeachersRule(school, found);
      !rule.empty()) {
    problems.Add("school_code", school, rule);
  } else {
    r.set_school_code(school);
    r.set_city_code(place->second.city_code);
    r.set_county_code(place->second.county_code);
    r.set_school_category(place->second.category);
  }
  r.set_post_type(row.Code<v1::PostType>(kPostType));
  r.set_education(row.Code<v1::Education>(kEducation));
  r.set_degree(row.Code<v1::Degree>(kDegree));
  r.set_title(row.Code<v1::TitleLevel>(kTitle));
  r.set_qualification(row.Code<v1::QualificationType>(kQualification));
  // The national rules on the assembled record (ranges, date order, ...),
  // for the fields not already reported: every problem of a row at once.
  std::vector<FieldProblem> national = ValidateTeacherRecord(r);
  if (national.empty()) return problems.empty();
  absl::flat_hash_set<std::string> reported;
  for (const v1::ImportProblem& p : problems.problems())
    reported.insert(p.column());
  for (const FieldProblem& p : national) {
    if (reported.contains(p.field)) continue;
    if (p.field == "school_code" || p.field == "city_code" ||
        p.field == "county_code" || p.field == "school_category") {
      if (reported.contains("school_code")) continue;
    }
    if (p.field == "id_hash" && reported.contains("id_card_number")) continue;
    problems.Add(p.field, p.value, p.rule);
  }
  return problems.empty();
}

namespace {

// Field 1 (teacher_number, length-delimited) of a TeacherRecord: protobuf
// parsers accept fields in any order, so tag + length + number prepended to
// the rest of the serialized record is the whole record.
}  // namespace

struct TeacherRowHandler::Rows final : PreparedRows {
  std::vector<Row> rows;      // in file order
  std::vector<size_t> order;  // the order they are written in
  size_t size() const override { return rows.size(); }
};

absl::StatusOr<std::unique_ptr<TeacherRowHandler>> TeacherRowHandler::Create(
    Store& store, const User& actor, const IdKeys& keys,
    IdentityResolver* resolver) {
  ASSIGN_OR_RETURN(std::string province, store.Province());
  RETURN_IF_ERROR(CheckProvinceStaff(actor, province, "import.teachers"));
  ASSIGN_OR_RETURN(std::unique_ptr<crypto::Sealer> sealer,
                   crypto::Sealer::Create(keys.seal_key));
  std::unique_ptr<TeacherRowHandler> h(
      new TeacherRowHandler(keys, std::move(sealer), resolver));
  (void)absl::SimpleAtoi(province, &h->province_);
  ASSIGN_OR_RETURN(h->schools_, LoadSchools(store));
  return h;
}

const std::vector<TableColumn>& TeacherRowHandler::columns() const {
  return TeacherTemplate();
}

bool TeacherRowHandler::Prepare(const std::vector<std::string>& fields,
                                const ColumnIndex& index,
                                RowProblems& problems) {
  if (!ParseTeacherRow(fields, index, province_, schools_, id_hasher_, &parsed_,
                       problems))
    return false;
  v1::TeacherRecord& record = parsed_.record;
  std::string masked = MaskIdCard(parsed_.id_card);
  IdHashBytes id_key{};
  std::memcpy(id_key.data(), record.id_hash().data(),
              std::min(id_key.size(), record.id_hash().size()));
  auto [it, inserted] = rows_by_id_hash_.emplace(id_key, problems.row());
  if (!inserted) {
    problems.Add(TeacherTemplateColumns()[kIdCardNumber], masked,
                 absl::StrCat("重复：本文件第 ", it->second,
                              " 行已有同一身份证件号码（一人一号，只填一行）"));
    return false;
  }
  auto sealed = sealer_->Seal(parsed_.id_card);
  if (!sealed.ok()) {
    problems.Add(TeacherTemplateColumns()[kIdCardNumber], masked,
                 std::string(sealed.status().message()));
    return false;
  }
  Row row{problems.row(),       record.id_hash(),
          std::move(*sealed),   std::move(masked),
          record.school_code(), {},
          std::nullopt,         false};
  record.clear_teacher_number();  // minted by the writer
  record.SerializeToString(&row.record_rest);
  row.name = record.name();
  prepared_.push_back(std::move(row));
  return true;
}

std::unique_ptr<PreparedRows> TeacherRowHandler::TakePrepared() {
  auto rows = std::make_unique<Rows>();
  rows->rows.swap(prepared_);
  // Asked here, on the parsing side, so no write transaction waits on the
  // network; a chunk at a time, so no request outgrows a message. If the
  // registry cannot answer, these rows and the rest of the batch are
  // provisional (no second wait for a node that is down).
  constexpr size_t kResolveChunk = 1000;
  bool answering = resolver_ != nullptr;
  for (size_t begin = 0; begin < rows->rows.size(); begin += kResolveChunk) {
    const size_t end = std::min(rows->rows.size(), begin + kResolveChunk);
    absl::StatusOr<std::vector<std::optional<KnownIdentity>>> known =
        absl::UnavailableError("本节点未配置国家节点地址");
    if (answering) {
      std::vector<std::string> hashes;
      for (size_t i = begin; i < end; ++i)
        hashes.push_back(rows->rows[i].id_hash);
      known = resolver_->Resolve(hashes);
      answering = known.ok();
    }
    for (size_t i = begin; i < end; ++i) {
      if (known.ok()) {
        rows->rows[i].known = (*known)[i - begin];
      } else {
        rows->rows[i].provisional = true;
      }
    }
  }
  // The batch is written school by school (file order within a school), and
  // numbers are minted in that order: each insert into the index by school
  // then lands beside the last one instead of at a random place, which
  // makes a province-wide file's import a fifth faster (issue 30,
  // docs/benchmarks.md); a school's teachers get consecutive numbers.
  const std::vector<Row>& all = rows->rows;
  rows->order.resize(all.size());
  for (size_t i = 0; i < all.size(); ++i) rows->order[i] = i;
  std::stable_sort(rows->order.begin(), rows->order.end(),
                   [&all](size_t a, size_t b) {
                     return all[a].school_code < all[b].school_code;
                   });
  prepared_.reserve(all.size());  // the next batch is as large
  return rows;
}

void TeacherRowHandler::Describe(v1::ImportReport* report) const {
  report->set_numbers_reused(reused_.size());
  for (size_t i = 0; i < reused_.size() && i < 1000; ++i)
    *report->add_reused() = reused_[i];
  report->set_provisional(provisional_);
}

absl::Status TeacherRowHandler::BeginBatch(Store& store) {
  ASSIGN_OR_RETURN(TeacherCreator creator, TeacherCreator::Begin(store));
  creator_.emplace(std::move(creator));
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> TeacherRowHandler::Write(
    Store& store, PreparedRows& prepared,
    std::vector<v1::ImportProblem>* problems) {
  const int64_t now = std::time(nullptr);
  uint64_t written = 0;
  const Rows& rows = static_cast<Rows&>(prepared);
  for (size_t i : rows.order) {
    const Row& row = rows.rows[i];
    NewTeacher teacher;
    teacher.id_hash = row.id_hash;
    teacher.id_sealed = row.id_sealed;
    teacher.school_code = row.school_code;
    teacher.record_without_number = row.record_rest;
    teacher.name = row.name;
    teacher.state = TeacherState::kEffective;
    teacher.provisional = row.provisional;
    teacher.known = row.known ? &*row.known : nullptr;
    absl::StatusOr<std::string> number = creator_->Create(teacher, now);
    if (absl::IsAlreadyExists(number.status())) {
      v1::ImportProblem p;
      p.set_row(row.row);
      p.set_column(TeacherTemplateColumns()[kIdCardNumber]);
      p.set_value(row.id_masked);
      p.set_rule(std::string(number.status().message()));
      problems->push_back(std::move(p));
      continue;
    }
    RETURN_IF_ERROR(number.status());
    if (row.provisional) ++provisional_;
    if (row.known) {
      v1::ReusedNumber reused;
      reused.set_row(row.row);
      reused.set_teacher_number(*number);
      reused.set_owner_province(row.known->owner_province);
      reused_.push_back(std::move(reused));
    }
    ++written;
  }
  return written;
}

absl::Status TeacherRowHandler::EndBatch(Store& store) {
  absl::Status finished = creator_->Finish();
  creator_.reset();
  return finished;
}

}  // namespace ntmis::provincial

// The information categories through the real API: entries in the workflow
// with field rights and history, custom indicators, category templates in
// both import modes and encodings, exports that import again, and the reads
// that the audit log must record.
#include <catch2/catch.hpp>
#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "common/base/config.h"
#include "common/sql/sqlite.h"
#include "tests/support/province_fixture.h"

namespace ntmis::testing {
namespace {

using Stub = v1::ProvincialApi::StubInterface;
using Client = provincial::ApiClient;

v1::PutEntryRequest Entry(
    const std::string& number, const std::string& category,
    std::vector<std::pair<std::string, std::string>> fields,
    int64_t entry_no = 0, const std::string& reason = "") {
  v1::PutEntryRequest request;
  request.set_teacher_number(number);
  request.set_category(category);
  request.set_entry_no(entry_no);
  request.set_reason(reason);
  SetFields(request.mutable_fields(), fields);
  return request;
}

std::vector<v1::EntryView> Entries(Client& by, const std::string& number,
                                   const std::string& category) {
  v1::ListEntriesRequest request;
  request.set_teacher_number(number);
  request.set_category(category);
  auto list = ValueOrDie(by.Call(&Stub::ListEntries, request));
  return {list.entries().begin(), list.entries().end()};
}

std::string Value(const v1::EntryView& e, const std::string& field) {
  for (const auto& v : e.values())
    if (v.field() == field) return v.value();
  return "";
}

v1::DecideChangeRequest Decide(uint64_t id, bool approve,
                               const std::string& reason = "") {
  v1::DecideChangeRequest d;
  d.set_id(id);
  d.set_approve(approve);
  d.set_reason(reason);
  return d;
}

TEST_CASE("Category entries follow the workflow with field rights and history",
          "[categories]") {
  Province p;
  Staff s = MakeStaff(p);
  v1::TeacherView t =
      Create(*s.school_manager, "周九", IdCard("440103", "19860405", 13),
             "1986-04-05", "1");
  const std::string number = t.teacher_number();

  // A draft's entries are written directly.
  auto study = ValueOrDie(s.school_manager->Call(
      &Stub::PutEntry, Entry(number, "study_history",
                             {{"start_date", "2004-09-01"},
                              {"end_date", "2008-07-01"},
                              {"institution", "华南师范大学"},
                              {"education", "21"},
                              {"degree", "学士"}})));
  CHECK(study.entry().entry_no() == 1);
  CHECK(Value(study.entry(), "degree") ==
        "4");  // the label 学士 was stored as its code
  ValueOrDie(s.school_manager->Call(
      &Stub::PutEntry, Entry(number, "ethics",
                             {{"date", "2020-09-10"},
                              {"kind", "1"},
                              {"description", "优秀教师"},
                              {"decision_unit", "荔湾区教育局"}})));

  // Bad values: each says what is wrong and what is allowed; nothing changes.
  auto before_birth = s.school_manager->Call(
      &Stub::PutEntry,
      Entry(number, "work_history",
            {{"start_date", "1980-01-01"}, {"employer", "x"}}));
  CHECK(absl::IsInvalidArgument(before_birth.status()));
  CHECK_THAT(std::string(before_birth.status().message()),
             Catch::Contains("不能早于出生日期"));
  auto code = s.school_manager->Call(
      &Stub::PutEntry,
      Entry(number, "research",
            {{"kind", "8"}, {"title", "x"}, {"date", "2019-01-01"}}));
  CHECK_THAT(std::string(code.status().message()),
             Catch::Contains("可选：1 论文"));
  auto range = s.school_manager->Call(&Stub::PutEntry,
                                      Entry(number, "domestic_training",
                                            {{"programme", "x"},
                                             {"start_date", "2019-01-01"},
                                             {"hours", "5000"}}));
  CHECK_THAT(std::string(range.status().message()),
             Catch::Contains("0 至 2000"));
  auto missing = s.school_manager->Call(
      &Stub::PutEntry,
      Entry(number, "domestic_training", {{"programme", "x"}}));
  CHECK_THAT(std::string(missing.status().message()),
             Catch::Contains("start_date='': 必填（开始日期）"));
  auto field = s.school_manager->Call(&Stub::PutEntry,
                                      Entry(number, "contact", {{"fax", "1"}}));
  CHECK_THAT(std::string(field.status().message()),
             Catch::Contains("可选：mobile, email, address"));
  auto category = s.school_manager->Call(
      &Stub::PutEntry, Entry(number, "hobbies", {{"x", "1"}}));
  CHECK_THAT(std::string(category.status().message()),
             Catch::Contains("可选：study_history"));
  auto future = s.school_manager->Call(
      &Stub::PutEntry,
      Entry(number, "title_appointment",
            {{"title", "2"}, {"appointed_date", "2999-01-01"}}));
  CHECK_THAT(std::string(future.status().message()),
             Catch::Contains("不能晚于今天"));
  CHECK(Entries(*s.school_manager, number, "").size() == 2);

  // The teacher fills its own categories, reads the administration's, and
  // may not write them.
  v1::UnitRequest school;
  school.set_unit_code("4401030001");
  auto made =
      ValueOrDie(s.school_admin->Call(&Stub::CreateTeacherAccounts, school));
  auto teacher = p.FirstLogin(number, made.accounts(0).initial_password());
  auto assessment = teacher->Call(
      &Stub::PutEntry,
      Entry(number, "annual_assessment", {{"year", "2023"}, {"result", "1"}}));
  CHECK(absl::IsPermissionDenied(assessment.status()));
  CHECK_THAT(std::string(assessment.status().message()),
             Catch::Contains("只由教育行政部门记录"));
  NTMIS_ASSERT_OK(
      teacher
          ->Call(&Stub::PutEntry,
                 Entry(number, "contact", {{"mobile", "13912345678"}}))
          .status());
  CHECK(Entries(*teacher, number, "ethics").size() == 1);
  CHECK(p.Audited(absl::StrCat(
            "actor = '", number,
            "' AND action = 'teacher.read_sensitive' AND detail = 'ethics'")) ==
        1);
  // The review form: everything, and what is still missing.
  v1::ReviewForm form =
      ValueOrDie(teacher->Call(&Stub::GetReviewForm, Number(number)));
  CHECK(form.entries_size() == 3);
  CHECK_FALSE(form.missing().empty());
  CHECK(p.Audited(absl::StrCat("actor = '", number,
                               "' AND action = 'teacher.read_sensitive'")) ==
        2);

  // The ID-card number is shown only on request, to staff and the teacher,
  // and every such read is audited.
  v1::TeacherRequest reveal = Number(number);
  reveal.set_reveal_id_card(true);
  CHECK(ValueOrDie(teacher->Call(&Stub::GetTeacher, reveal)).id_card_number() ==
        IdCard("440103", "19860405", 13));
  CHECK(ValueOrDie(s.school_manager->Call(&Stub::GetTeacher, Number(number)))
            .id_card_number()
            .empty());
  auto viewer = p.Account(*s.school_admin, "s1.viewer", "4401030001",
                          v1::USER_ROLE_QUERIER);
  CHECK(absl::IsPermissionDenied(
      viewer->Call(&Stub::GetTeacher, reveal).status()));
  CHECK(p.Audited("action = 'teacher.read_id_card'") == 2);

  // Effective: a new entry is an addition decided by the school, a changed
  // or deleted one a change decided by the county; entries never enter the
  // sync outbox.
  ValueOrDie(s.school_manager->Call(&Stub::EditTeacher,
                                    Complete(number, "2008-09-01")));
  ValueOrDie(s.school_manager->Call(&Stub::SubmitTeacher, Number(number)));
  Review(*s.school_admin, number, true);
  Review(*s.county_manager, number, true);
  const uint64_t outbox = p.OutboxEnd();
  CHECK(absl::IsInvalidArgument(
      teacher
          ->Call(&Stub::PutEntry, Entry(number, "domestic_training",
                                        {{"programme", "新教师培训"},
                                         {"start_date", "2024-07-01"},
                                         {"hours", "24"}}))
          .status()));  // no reason
  auto addition = ValueOrDie(
      teacher->Call(&Stub::PutEntry, Entry(number, "domestic_training",
                                           {{"programme", "新教师培训"},
                                            {"start_date", "2024-07-01"},
                                            {"hours", "24"}},
                                           0, "attended")));
  REQUIRE(addition.has_change_request());
  CHECK(addition.change_request().kind() == "addition");
  CHECK(addition.change_request().reviewer_unit() == "4401030001");
  CHECK(Entries(*s.school_manager, number, "domestic_training").empty());
  ValueOrDie(s.school_manager->Call(
      &Stub::DecideChange, Decide(addition.change_request().id(), true)));
  REQUIRE(Entries(*s.school_manager, number, "domestic_training").size() == 1);

  auto change = ValueOrDie(s.school_manager->Call(
      &Stub::PutEntry, Entry(number, "study_history", {{"major", "汉语言文学"}},
                             1, "major was missing")));
  CHECK(change.change_request().kind() == "change");
  CHECK(change.change_request().reviewer_unit() == "440103");
  // One request per entry waits at a time; the record's form lists it.
  absl::Status twice =
      s.school_manager
          ->Call(&Stub::PutEntry, Entry(number, "study_history",
                                        {{"major", "中文"}}, 1, "again"))
          .status();
  CHECK(absl::IsFailedPrecondition(twice));
  CHECK(absl::StrContains(twice.message(), "待审核的变更申请"));
  v1::TeacherRequest form_request;
  form_request.set_teacher_number(number);
  auto review_form =
      ValueOrDie(s.school_manager->Call(&Stub::GetReviewForm, form_request));
  REQUIRE(review_form.change_requests_size() >= 1);
  CHECK(review_form.change_requests(0).id() == change.change_request().id());
  CHECK(review_form.change_requests(0).state() == "pending");
  CHECK(review_form.change_requests(0).reason() == "major was missing");
  CHECK(absl::IsPermissionDenied(
      s.school_manager
          ->Call(&Stub::DecideChange,
                 Decide(change.change_request().id(), true))
          .status()));
  ValueOrDie(s.county_manager->Call(
      &Stub::DecideChange, Decide(change.change_request().id(), true)));
  std::vector<v1::EntryView> studies =
      Entries(*s.school_manager, number, "study_history");
  REQUIRE(studies.size() == 1);
  CHECK(Value(studies[0], "major") == "汉语言文学");
  CHECK(Value(studies[0], "institution") == "华南师范大学");  // the rest kept
  CHECK(studies[0].version() == 2);
  CHECK(studies[0].approved_by() == "lw.manager");
  review_form =
      ValueOrDie(s.school_manager->Call(&Stub::GetReviewForm, form_request));
  CHECK(review_form.change_requests(0).state() == "approved");

  v1::PutEntryRequest remove =
      Entry(number, "domestic_training", {}, 1, "recorded twice");
  remove.set_delete_entry(true);
  auto deletion = ValueOrDie(s.school_manager->Call(&Stub::PutEntry, remove));
  ValueOrDie(s.county_manager->Call(
      &Stub::DecideChange, Decide(deletion.change_request().id(), true)));
  CHECK(Entries(*s.school_manager, number, "domestic_training").empty());
  CHECK(p.OutboxEnd() == outbox);

  // History keeps every version, the deletion included.
  v1::ListEntriesRequest history;
  history.set_teacher_number(number);
  history.set_with_history(true);
  auto all = ValueOrDie(s.county_manager->Call(&Stub::ListEntries, history));
  int superseded_study = 0, superseded_training = 0;
  for (const auto& e : all.history()) {
    if (e.category() == "study_history") {
      ++superseded_study;
      CHECK(Value(e, "major").empty());
    }
    if (e.category() == "domestic_training") ++superseded_training;
  }
  CHECK(superseded_study == 1);
  CHECK(superseded_training == 1);
}

TEST_CASE(
    "Custom indicators are defined at run time, required by school category "
    "and never sent nationally",
    "[categories]") {
  Province p;
  Staff s = MakeStaff(p);
  v1::FieldDef bad;
  bad.set_name("Bad Name");
  bad.set_type(v1::FieldDef::CODE);
  bad.add_required_for(99);
  auto refused = p.admin().Call(&Stub::DefineIndicator, bad);
  CHECK(absl::IsInvalidArgument(refused.status()));
  CHECK_THAT(std::string(refused.status().message()),
             Catch::Contains("name='Bad Name'"));
  CHECK_THAT(std::string(refused.status().message()),
             Catch::Contains("label=''"));
  CHECK_THAT(std::string(refused.status().message()),
             Catch::Contains("code list"));
  CHECK_THAT(std::string(refused.status().message()),
             Catch::Contains("required_for='99'"));
  v1::FieldDef range;
  range.set_name("hours");
  range.set_label("课时");
  range.set_type(v1::FieldDef::INTEGER);
  range.set_min(10);
  range.set_max(1);
  CHECK(absl::IsInvalidArgument(
      p.admin().Call(&Stub::DefineIndicator, range).status()));

  v1::FieldDef bilingual;
  bilingual.set_name("bilingual_teaching");
  bilingual.set_label("双语教学");
  bilingual.set_type(v1::FieldDef::CODE);
  bilingual.add_codes("1=是");
  bilingual.add_codes("2=否");
  bilingual.set_required(true);
  bilingual.add_required_for(2);  // primary and secondary schools
  CHECK(absl::IsPermissionDenied(
      s.county_admin->Call(&Stub::DefineIndicator, bilingual).status()));
  NTMIS_ASSERT_OK(p.admin().Call(&Stub::DefineIndicator, bilingual).status());
  CHECK(absl::IsAlreadyExists(
      p.admin().Call(&Stub::DefineIndicator, bilingual).status()));
  v1::CategoryCatalog catalog =
      ValueOrDie(s.school_manager->Call(&Stub::GetCatalog, {}));
  REQUIRE(catalog.categories(catalog.categories_size() - 1).code() == "custom");
  CHECK(catalog.categories(catalog.categories_size() - 1).fields(0).name() ==
        "bilingual_teaching");

  v1::TeacherView t =
      Create(*s.school_manager, "吴十", IdCard("440103", "19890101", 17),
             "1989-01-01", "1");
  ValueOrDie(s.school_manager->Call(
      &Stub::EditTeacher, Complete(t.teacher_number(), "2012-09-01")));
  AddContact(*s.school_manager, t.teacher_number());
  auto incomplete =
      s.school_manager->Call(&Stub::SubmitTeacher, Number(t.teacher_number()));
  CHECK(absl::IsInvalidArgument(incomplete.status()));
  CHECK_THAT(std::string(incomplete.status().message()),
             Catch::Contains("「双语教学」（本省指标）必填"));
  auto wrong = s.school_manager->Call(
      &Stub::PutEntry,
      Entry(t.teacher_number(), "custom", {{"bilingual_teaching", "3"}}));
  CHECK_THAT(std::string(wrong.status().message()),
             Catch::Contains("可选：1 是, 2 否"));
  ValueOrDie(s.school_manager->Call(
      &Stub::PutEntry,
      Entry(t.teacher_number(), "custom", {{"bilingual_teaching", "是"}})));
  ValueOrDie(
      s.school_manager->Call(&Stub::SubmitTeacher, Number(t.teacher_number())));
  Review(*s.school_admin, t.teacher_number(), true);
  Review(*s.county_manager, t.teacher_number(), true);
  REQUIRE(ValueOrDie(p.f().Sync("44")).applied == 1);

  // The national node holds the core record only: nothing it does not know.
  auto stub =
      p.f().QueryStub(PeerIdentity::Operator("op", OperatorRole::kManager));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(10));
  v1::LookupRequest lookup;
  lookup.set_teacher_number(t.teacher_number());
  lookup.set_reason("custom indicator test");
  v1::LookupResponse found;
  REQUIRE(stub->Lookup(&context, lookup, &found).ok());
  REQUIRE(found.matches_size() == 1);
  const v1::TeacherRecord& national = found.matches(0).record();
  CHECK(national.name() == "吴十");
  CHECK(national.GetReflection()->GetUnknownFields(national).empty());
  CHECK(national.SerializeAsString().find("bilingual") == std::string::npos);
}

TEST_CASE(
    "Category templates import in both modes and any encoding and exports "
    "import again",
    "[categories]") {
  Province p;
  Staff s = MakeStaff(p);
  const std::string a =
      Effective(s, "郑一", IdCard("440103", "19840101", 21), "1984-01-01", "1");
  const std::string b =
      Effective(s, "郑二", IdCard("440103", "19850202", 32), "1985-02-02", "2");
  v1::TeacherView elsewhere =
      Create(*s.other_county_manager, "郑三", IdCard("440104", "19860303", 43),
             "1986-03-03", "1", "4401040001");
  const std::string header =
      "teacher_number,entry_no,programme,organiser,start_date,end_date,hours,"
      "credits,mode\n";
  const std::string rows = absl::StrCat(
      a, ",,国培计划,教育部,2023-07-01,2023-07-10,60,3,面授\n",  // 2
      b, ",,省培计划,,2023-08-01,,abc,,1\n",                     // 3: hours
      "440000000999,,校本研修,,2023-09-01,,10,,1\n",             // 4: checksum
      elsewhere.teacher_number(),
      ",,校本研修,,2023-09-01,,10,,1\n",     // 5: other school
      b, ",,网络研修,,1970-01-01,,8,,2\n",   // 6: before birth
      b, ",,网络研修,,2024-01-05,,8,,2\n");  // 7
  provincial::ImportCall call;
  call.target = provincial::ImportTarget::kCategory;
  call.category = "domestic_training";

  // All or nothing: problems, and nothing applied.
  call.all_or_nothing = true;
  v1::ImportReport none =
      ValueOrDie(s.school_manager->ImportData(call, header + rows));
  CHECK(none.rows_applied() == 0);
  CHECK(none.problems_total() == 4);
  CHECK(Entries(*s.school_manager, a, "domestic_training").empty());

  // Valid rows: applied, the rest reported with row, column, value, rule.
  call.all_or_nothing = false;
  v1::ImportReport some =
      ValueOrDie(s.school_manager->ImportData(call, header + rows));
  CHECK(some.rows_read() == 6);
  CHECK(some.rows_applied() == 2);
  REQUIRE(some.problems_size() == 4);
  CHECK(some.problems(0).row() == 3);
  CHECK(some.problems(0).column() == "hours");
  CHECK(some.problems(0).value() == "abc");
  CHECK(some.problems(0).rule() == "须为数字，如 12.5");
  CHECK(some.problems(1).row() == 4);
  CHECK(some.problems(1).column() == "teacher_number");
  CHECK(some.problems(2).row() == 5);
  CHECK_THAT(some.problems(2).rule(),
             Catch::Contains("不在导入账号的管辖范围内"));
  CHECK(some.problems(3).row() == 6);
  CHECK_THAT(some.problems(3).rule(), Catch::Contains("不能早于出生日期"));
  CHECK(Entries(*s.school_manager, b, "domestic_training").size() == 1);

  // A bad header changes nothing and says which columns.
  call.dry_run = false;
  v1::ImportReport missing = ValueOrDie(s.school_manager->ImportData(
      call, "teacher_number,entry_no,programme,start_date,hours,colour\n" + a +
                ",,x,2023-01-01,1,red\n"));
  CHECK(missing.rows_applied() == 0);
  std::string rules;
  for (const auto& pr : missing.problems())
    absl::StrAppend(&rules, pr.column(), ": ", pr.rule(), "\n");
  CHECK_THAT(rules, Catch::Contains("colour: 表头中有模板没有的列"));
  CHECK_THAT(rules, Catch::Contains("organiser: 表头缺少这一必需的列"));

  // GB18030, and UTF-8 with a byte-order mark.
  std::string contact =
      absl::StrCat("teacher_number,entry_no,mobile,email,address\n", a,
                   ",,13500000000,,广州市荔湾区\n");
  call.category = "contact";
  v1::ImportReport gb =
      ValueOrDie(s.school_manager->ImportData(call, ToGb18030(contact)));
  CHECK(gb.encoding() == "GB18030");
  CHECK(gb.rows_applied() == 1);
  CHECK(Value(Entries(*s.school_manager, a, "contact")[0], "address") ==
        "广州市荔湾区");
  // A file in an encoding that is neither: said plainly, nothing applied.
  std::string utf16 = "\xFF\xFE";
  for (char c : std::string("teacher_number,entry_no,mobile\n"))
    utf16 += std::string{c, '\0'};
  v1::ImportReport wide = ValueOrDie(s.school_manager->ImportData(call, utf16));
  CHECK(wide.rows_applied() == 0);
  REQUIRE(wide.problems_size() == 1);
  CHECK_THAT(wide.problems(0).rule(), Catch::Contains("UTF-16"));
  v1::ImportReport workbook = ValueOrDie(s.school_manager->ImportData(
      call, std::string("PK\x03\x04\x14\0\x06\0", 8)));
  CHECK_THAT(workbook.problems(0).rule(), Catch::Contains("Excel 工作簿"));
  v1::ImportReport bom =
      ValueOrDie(s.school_manager->ImportData(call, "\xEF\xBB\xBF" + contact));
  CHECK(bom.rows_applied() == 1);
  CHECK(Entries(*s.school_manager, a, "contact").size() ==
        1);  // one entry, replaced

  // An export imports again: change a value, import, the entry is replaced.
  v1::ExportRequest exporting;
  exporting.set_unit_code("440103");
  exporting.set_category("domestic_training");
  exporting.set_codes(true);  // the form that imports again
  std::string csv;
  NTMIS_ASSERT_OK(
      s.county_manager->Export(exporting, [&](const std::string& d) {
        csv += d;
        return absl::OkStatus();
      }));
  std::vector<std::string> lines = absl::StrSplit(csv, '\n', absl::SkipEmpty());
  REQUIRE(lines.size() == 3);
  CHECK(lines[0] + "\n" == header);
  CHECK(absl::StartsWith(lines[1], a + ",1,国培计划"));
  std::string edited =
      header + absl::StrReplaceAll(lines[1], {{",60,", ",64,"}}) + "\n";
  call.category = "domestic_training";
  CHECK(ValueOrDie(s.school_manager->ImportData(call, edited)).rows_applied() ==
        1);
  std::vector<v1::EntryView> trainings =
      Entries(*s.school_manager, a, "domestic_training");
  REQUIRE(trainings.size() == 1);
  CHECK(Value(trainings[0], "hours") == "64");
  CHECK(trainings[0].version() == 2);

  // The teachers of a unit as CSV.
  exporting.clear_category();
  std::string teachers;
  NTMIS_ASSERT_OK(
      s.county_manager->Export(exporting, [&](const std::string& d) {
        teachers += d;
        return absl::OkStatus();
      }));
  std::vector<std::string> teacher_lines =
      absl::StrSplit(teachers, '\n', absl::SkipEmpty());
  CHECK(teacher_lines.size() == 3);
  CHECK(absl::StartsWith(
      teacher_lines[0],
      "teacher_number,state,name,gender,birth_date,ethnicity"));
  CHECK_FALSE(absl::StrContains(teachers, "id_card_number"));
  exporting.set_unit_code("4402");
  CHECK(absl::IsPermissionDenied(s.county_manager->Export(
      exporting, [](const std::string&) { return absl::OkStatus(); })));
}

TEST_CASE(
    "Contact details are sealed at rest on every path and shown to those "
    "allowed",
    "[categories]") {
  Province p;
  Staff s = MakeStaff(p);
  // Entry path: Effective() writes the contact entry 13800138000.
  const std::string a =
      Effective(s, "冯一", IdCard("440103", "19840101", 51), "1984-01-01", "1");
  // Import path, into a draft record.
  v1::TeacherView b =
      Create(*s.school_manager, "冯二", IdCard("440103", "19850202", 62),
             "1985-02-02", "2");
  provincial::ImportCall call;
  call.target = provincial::ImportTarget::kCategory;
  call.category = "contact";
  v1::ImportReport imported = ValueOrDie(s.school_manager->ImportData(
      call,
      absl::StrCat(
          "teacher_number,entry_no,mobile,email,address\n", b.teacher_number(),
          ",,13911112222,feng.er@example.cn,广州市荔湾区冯家巷七号\n")));
  REQUIRE(imported.rows_applied() == 1);
  // Change-request path: a change to the effective record's contact entry.
  v1::PutEntryRequest change;
  change.set_teacher_number(a);
  change.set_category("contact");
  change.set_entry_no(1);
  change.set_reason("换了手机号");
  v1::FieldValue* mobile = change.add_fields();
  mobile->set_field("mobile");
  mobile->set_value("13722223333");
  v1::PutEntryResponse pending =
      ValueOrDie(s.school_manager->Call(&Stub::PutEntry, change));
  REQUIRE(pending.change_request().id() > 0);
  p.f().FlushAudits();

  // Nothing of it in the raw database, its WAL or the audit.
  const std::string db = p.f().province("44").database();
  std::string raw = ValueOrDie(ReadFile(db));
  if (std::filesystem::exists(db + "-wal"))
    raw += ValueOrDie(ReadFile(db + "-wal"));
  for (const char* secret : {"13800138000", "13911112222", "13722223333",
                             "feng.er@example.cn", "冯家巷七号"}) {
    INFO(secret);
    CHECK(raw.find(secret) == std::string::npos);
  }

  // Those allowed see them: the form's entries, the change request, the export.
  CHECK(Value(Entries(*s.school_manager, a, "contact").at(0), "mobile") ==
        "13800138000");
  CHECK(Value(Entries(*s.school_manager, b.teacher_number(), "contact").at(0),
              "address") == "广州市荔湾区冯家巷七号");
  v1::TeacherHistoryResponse history =
      ValueOrDie(s.school_manager->Call(&Stub::TeacherHistory, Number(a)));
  REQUIRE(history.change_requests_size() == 1);
  CHECK(history.change_requests(0).fields(0).value() == "13722223333");
  v1::ExportRequest export_request;
  export_request.set_unit_code("4401030001");
  export_request.set_category("contact");
  std::string csv;
  NTMIS_ASSERT_OK(
      s.school_manager->Export(export_request, [&csv](const std::string& data) {
        csv += data;
        return absl::OkStatus();
      }));
  CHECK_THAT(csv,
             Catch::Contains("13800138000") && Catch::Contains("13911112222"));
}

TEST_CASE(
    "Entries stored in the clear by an older build are sealed when the node "
    "starts",
    "[categories]") {
  Province p;
  Staff s = MakeStaff(p);
  const std::string a =
      Effective(s, "褚一", IdCard("440103", "19840101", 73), "1984-01-01", "1");
  const std::string db = p.f().province("44").database();
  p.f().StopProvince("44");
  {
    // What an older build stored: the values in the clear, and no mark.
    sql::Database raw = ValueOrDie(sql::Database::Open(db, {}));
    v1::EntryValues values;
    v1::FieldValue* mobile = values.add_values();
    mobile->set_field("mobile");
    mobile->set_value("13655554444");
    sql::Statement clear = ValueOrDie(
        raw.Prepare("UPDATE teacher_entries SET entry_values = ? WHERE "
                    "teacher_number = ? AND category = 'contact'"));
    clear.BindBlob(1, values.SerializeAsString());
    clear.Bind(2, a);
    NTMIS_ASSERT_OK(clear.Run());
    NTMIS_ASSERT_OK(
        raw.Exec("DELETE FROM meta WHERE key = 'sealed_at_rest'; VACUUM"));
  }
  p.f().StartProvince("44");
  // Sealed at start-up, and still read as they were.
  {
    sql::Database raw = ValueOrDie(sql::Database::Open(db, {}));
    CHECK(ValueOrDie(raw.QueryInt("SELECT COUNT(*) FROM teacher_entries WHERE "
                                  "substr(entry_values, 1, 1) != x'00'")) == 0);
    CHECK(ValueOrDie(raw.QueryInt("SELECT COUNT(*) FROM entry_versions WHERE "
                                  "substr(entry_values, 1, 1) != x'00'")) == 0);
    CHECK(ValueOrDie(raw.QueryInt(
              "SELECT COUNT(*) FROM meta WHERE key = 'sealed_at_rest'")) == 1);
  }
  auto manager = p.Connect();
  NTMIS_ASSERT_OK(manager->Login("s1.manager", kPassword));
  CHECK(Value(Entries(*manager, a, "contact").at(0), "mobile") ==
        "13655554444");
}

}  // namespace
}  // namespace ntmis::testing

namespace ntmis::testing {
namespace {

TEST_CASE(
    "A teacher created while the national node is down keeps history, entries "
    "and account when renumbered",
    "[categories]") {
  Province p;
  Staff s = MakeStaff(p);
  const std::string id = IdCard("440103", "19800101", 11);
  const std::string national_number =
      Effective(s, "陈一", id, "1980-01-01", "1");
  NTMIS_ASSERT_OK(p.f().Sync("44").status());

  // Jiangsu hires the same person while the national node is down.
  p.f().AddProvince("32");
  auto js = p.f().Admin("32");
  ValueOrDie(js->ImportData(provincial::ImportTarget::kUnits,
                            "code,parent_code,level,name,school_category\n"
                            "3201,32,city,南京市,\n320102,3201,county,玄武区,\n"
                            "3201020001,320102,school,玄武小学,2\n",
                            false));
  {
    provincial::Store store =
        ValueOrDie(provincial::Store::Open(p.f().province("32").database()));
    provincial::Accounts accounts(store);
    ValueOrDie(accounts.Create("xw.manager", "3201020001",
                               provincial::Role::kManager, kPassword, false));
    ValueOrDie(accounts.Create("xw.admin", "3201020001",
                               provincial::Role::kSysAdmin, kPassword, false));
  }
  auto connect = [&](const std::string& user) {
    auto c = ValueOrDie(
        Client::Connect(p.f().province_address("32"), p.f().pki().ca_cert()));
    NTMIS_ASSERT_OK(c->Login(user, kPassword));
    return c;
  };
  auto manager = connect("xw.manager");
  auto admin = connect("xw.admin");
  p.f().StopNational();
  v1::TeacherView t =
      Create(*manager, "陈一", id, "1980-01-01", "1", "3201020001");
  CHECK(t.provisional());
  CHECK(t.teacher_number() != national_number);
  ValueOrDie(manager->Call(&Stub::EditTeacher,
                           Complete(t.teacher_number(), "2005-09-01")));
  AddContact(*manager, t.teacher_number());
  v1::UnitRequest school;
  school.set_unit_code("3201020001");
  auto made = ValueOrDie(admin->Call(&Stub::CreateTeacherAccounts, school));
  REQUIRE(made.accounts_size() == 1);

  // The next sync asks again and renumbers: everything follows.
  p.f().StartNational();
  NTMIS_ASSERT_OK(p.f().Sync("32").status());
  CHECK(absl::IsNotFound(
      manager->Call(&Stub::GetTeacher, Number(t.teacher_number())).status()));
  v1::TeacherView renumbered =
      ValueOrDie(manager->Call(&Stub::GetTeacher, Number(national_number)));
  CHECK_FALSE(renumbered.provisional());
  CHECK(renumbered.record().teacher_number() == national_number);
  v1::TeacherHistoryResponse history =
      ValueOrDie(manager->Call(&Stub::TeacherHistory, Number(national_number)));
  CHECK(history.versions_size() == 2);
  CHECK(Entries(*manager, national_number, "contact").size() == 1);
  auto teacher = FirstLogin(p.f(), "32", national_number,
                            made.accounts(0).initial_password());
  CHECK(ValueOrDie(teacher->Call(&Stub::GetTeacher, Number(national_number)))
            .state() == "draft");
}

}  // namespace
}  // namespace ntmis::testing

// The provincial node as its users work in it, through the real API over
// TLS: accounts at every level, scope and role checks (refusals audited),
// the review workflow with returns and change requests, field rights,
// history, units after the import, progress reports and the audit chain.
#include <catch2/catch.hpp>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/sql/sqlite.h"
#include "common/teacher/id_card.h"
#include "provincial/core/logins.h"
#include "provincial/core/store.h"
#include "provincial/core/unit_admin.h"
#include "tests/support/province_fixture.h"

namespace ntmis::testing {
namespace {

using Stub = v1::ProvincialApi::StubInterface;
using Client = provincial::ApiClient;

TEST_CASE(
    "Accounts are managed one level down and generated passwords must be "
    "changed",
    "[workflow]") {
  Province p;
  v1::CreateUserRequest request;
  request.set_username("gz.admin");
  request.set_unit_code("4401");
  request.set_role(v1::USER_ROLE_SYSADMIN);
  v1::CreateUserResponse created =
      ValueOrDie(p.admin().Call(&Stub::CreateUser, request));
  CHECK(created.user().must_change_password());
  CHECK(created.initial_password().size() >= 8);

  // Two levels down, or another role one level down: refused and audited.
  request.set_username("lw.admin");
  request.set_unit_code("440103");
  auto two_down = p.admin().Call(&Stub::CreateUser, request);
  CHECK(absl::IsPermissionDenied(two_down.status()));
  CHECK_THAT(std::string(two_down.status().message()),
             Catch::Contains("直接下级"));
  request.set_unit_code("4401");
  request.set_username("gz.manager");
  request.set_role(v1::USER_ROLE_MANAGER);
  CHECK(absl::IsPermissionDenied(
      p.admin().Call(&Stub::CreateUser, request).status()));
  CHECK(p.Audited("action = 'user.create' AND result = 'PERMISSION_DENIED' AND "
                  "actor = 'admin'") == 2);

  // The generated password opens nothing but the password change.
  auto city = p.Connect();
  NTMIS_ASSERT_OK(city->Login("gz.admin", created.initial_password()));
  auto blocked = city->Call(&Stub::ListUsers, v1::ListUsersRequest());
  CHECK(absl::IsFailedPrecondition(blocked.status()));
  CHECK_THAT(std::string(blocked.status().message()),
             Catch::Contains("请先修改密码"));
  v1::ChangePasswordRequest change;
  change.set_old_password(created.initial_password());
  change.set_new_password("short1A");
  CHECK(absl::IsInvalidArgument(
      city->Call(&Stub::ChangePassword, change).status()));
  change.set_new_password("alllowercaseletters");
  CHECK(absl::IsInvalidArgument(
      city->Call(&Stub::ChangePassword, change).status()));
  change.set_new_password(kPassword);
  NTMIS_ASSERT_OK(city->Call(&Stub::ChangePassword, change).status());
  // Changing the password ends the session it was changed in.
  CHECK(absl::IsUnauthenticated(
      city->Call(&Stub::ListUsers, v1::ListUsersRequest()).status()));
  NTMIS_ASSERT_OK(city->Login("gz.admin", kPassword));

  // Its own unit: any role up to the quota (1 / 1 / 2).
  request.set_username("gz.viewer1");
  request.set_role(v1::USER_ROLE_QUERIER);
  NTMIS_ASSERT_OK(city->Call(&Stub::CreateUser, request).status());
  request.set_username("gz.viewer2");
  NTMIS_ASSERT_OK(city->Call(&Stub::CreateUser, request).status());
  request.set_username("gz.viewer3");
  auto over = city->Call(&Stub::CreateUser, request);
  CHECK(over.status().code() == absl::StatusCode::kResourceExhausted);
  CHECK_THAT(std::string(over.status().message()),
             Catch::Contains("已达上限（2 个）"));
  // Sideways: another city's accounts.
  v1::ListUsersRequest list;
  list.set_unit_code("4402");
  CHECK(absl::IsPermissionDenied(city->Call(&Stub::ListUsers, list).status()));
  CHECK(p.Audited("actor = 'gz.admin' AND action = 'user.list' AND result = "
                  "'PERMISSION_DENIED'") == 1);
  list.set_unit_code("44");
  CHECK(absl::IsPermissionDenied(city->Call(&Stub::ListUsers, list).status()));
  // The province administrator sees everything below it.
  list.set_include_below(true);
  auto all = ValueOrDie(p.admin().Call(&Stub::ListUsers, list));
  CHECK(all.users_size() == 4);

  // Five wrong passwords lock the account for this address, with the same
  // answer as a wrong password; an administrator unlocks it.
  auto someone = p.Connect();
  for (int i = 0; i < 5; ++i)
    CHECK(absl::IsUnauthenticated(someone->Login("gz.admin", "Wrong-pass1")));
  absl::Status locked = someone->Login("gz.admin", kPassword);
  CHECK(absl::IsUnauthenticated(locked));
  CHECK(std::string(locked.message()) == ntmis::kLoginRefused);
  CHECK(
      p.Audited(
          "actor = 'gz.admin' AND action = 'user.login' AND result != 'ok'") ==
      6);
  CHECK(p.Audited("actor = 'gz.admin' AND action = 'user.login' AND "
                  "detail LIKE 'rule: account locked for this address%'") == 1);
  v1::UserRequest target;
  target.set_username("gz.admin");
  v1::UserAccount unlocked =
      ValueOrDie(p.admin().Call(&Stub::UnlockUser, target));
  CHECK_FALSE(unlocked.locked());
  NTMIS_ASSERT_OK(someone->Login("gz.admin", kPassword));

  // A reset gives a new generated password; the old one stops working.
  v1::CreateUserResponse reset =
      ValueOrDie(p.admin().Call(&Stub::ResetPassword, target));
  CHECK(absl::IsUnauthenticated(someone->Login("gz.admin", kPassword)));
  NTMIS_ASSERT_OK(someone->Login("gz.admin", reset.initial_password()));
  CHECK(absl::IsFailedPrecondition(
      someone->Call(&Stub::ListUsers, v1::ListUsersRequest()).status()));

  // A disabled account cannot log in.
  v1::SetUserDisabledRequest disable;
  disable.set_username("gz.admin");
  disable.set_disabled(true);
  CHECK(ValueOrDie(p.admin().Call(&Stub::SetUserDisabled, disable)).disabled());
  CHECK(absl::IsPermissionDenied(
      someone->Login("gz.admin", reset.initial_password())));
}

TEST_CASE("Idle sessions expire after 30 minutes of no use", "[workflow]") {
  TempDir dir;
  provincial::Store store =
      ValueOrDie(provincial::Store::Open(dir.File("p.db"), true));
  NTMIS_ASSERT_OK(store.SetProvince("44"));
  NTMIS_ASSERT_OK(provincial::EnsureProvinceUnit(store, "44"));
  provincial::Accounts accounts(store);
  provincial::User a = ValueOrDie(accounts.Create(
      "li", "44", provincial::Role::kManager, kPassword, false));
  const int64_t t1 = 1'800'000'000;
  ntmis::Session session =
      ValueOrDie(accounts.OpenSession(a.id, "10.0.0.1", t1));
  NTMIS_ASSERT_OK(accounts.Authenticate(session.token, t1 + 29 * 60).status());
  // Idle for 30 minutes after the last use.
  CHECK(absl::IsUnauthenticated(
      accounts.Authenticate(session.token, t1 + 29 * 60 + 30 * 60).status()));
}

TEST_CASE(
    "Every role at every level is refused outside its subtree or role and "
    "audited",
    "[workflow]") {
  Province p;
  Staff s = MakeStaff(p);
  // A teacher in another city (4402) that everyone here tries to reach.
  auto sg_admin =
      p.Account(p.admin(), "sg.admin", "4402", v1::USER_ROLE_SYSADMIN);
  auto wj_admin =
      p.Account(*sg_admin, "wj.admin", "440201", v1::USER_ROLE_SYSADMIN);
  auto wjs_admin =
      p.Account(*wj_admin, "wjs.admin", "4402010001", v1::USER_ROLE_SYSADMIN);
  auto wjs_manager =
      p.Account(*wjs_admin, "wjs.manager", "4402010001", v1::USER_ROLE_MANAGER);
  v1::TeacherView far =
      Create(*wjs_manager, "韶关老师", IdCard("440203", "19900101", 11),
             "1990-01-01", "1", "4402010001");
  auto school_querier = p.Account(*s.school_admin, "s1.viewer", "4401030001",
                                  v1::USER_ROLE_QUERIER);
  auto county_querier =
      p.Account(*s.county_admin, "lw.viewer", "440103", v1::USER_ROLE_QUERIER);
  auto city_querier =
      p.Account(*s.city_admin, "gz.viewer", "4401", v1::USER_ROLE_QUERIER);
  std::vector<std::pair<std::string, Client*>> callers = {
      {"gz.admin", s.city_admin.get()},
      {"gz.viewer", city_querier.get()},
      {"lw.admin", s.county_admin.get()},
      {"lw.manager", s.county_manager.get()},
      {"lw.viewer", county_querier.get()},
      {"s1.admin", s.school_admin.get()},
      {"s1.manager", s.school_manager.get()},
      {"s1.viewer", school_querier.get()}};
  for (auto& [name, client] : callers) {
    INFO(name);
    CHECK(absl::IsPermissionDenied(
        client->Call(&Stub::GetTeacher, Number(far.teacher_number()))
            .status()));
    CHECK(absl::IsPermissionDenied(
        client
            ->Call(&Stub::EditTeacher,
                   Fields(far.teacher_number(), {{"ethnicity", "01"}}))
            .status()));
    v1::ListTeachersRequest list;
    list.set_unit_code("4402");
    CHECK(absl::IsPermissionDenied(
        client->Call(&Stub::ListTeachers, list).status()));
    v1::UnitRequest progress;
    progress.set_unit_code("440201");
    CHECK(absl::IsPermissionDenied(
        client->Call(&Stub::Progress, progress).status()));
    v1::CreateTeacherRequest create;
    create.set_school_code("4402010001");
    create.set_name("x");
    create.set_gender("1");
    create.set_birth_date("1990-01-01");
    create.set_id_card_number(IdCard("440203", "19900101", 13));
    CHECK(absl::IsPermissionDenied(
        client->Call(&Stub::CreateTeacher, create).status()));
    CHECK(p.Audited(absl::StrCat("actor = '", name,
                                 "' AND result = 'PERMISSION_DENIED'")) == 5);
  }
  // Within the subtree, the role decides: queriers and administrators read
  // but do not enter data.
  v1::TeacherView mine =
      Create(*s.school_manager, "本校老师", IdCard("440103", "19880808", 22),
             "1988-08-08", "2");
  for (Client* reader :
       {school_querier.get(), county_querier.get(), city_querier.get(),
        s.school_admin.get(), s.city_admin.get()}) {
    NTMIS_ASSERT_OK(
        reader->Call(&Stub::GetTeacher, Number(mine.teacher_number()))
            .status());
    CHECK(absl::IsPermissionDenied(
        reader
            ->Call(&Stub::EditTeacher,
                   Fields(mine.teacher_number(), {{"ethnicity", "01"}}))
            .status()));
  }
  // Managers do not manage accounts.
  v1::CreateUserRequest user;
  user.set_username("x");
  user.set_unit_code("4401030001");
  user.set_role(v1::USER_ROLE_QUERIER);
  CHECK(absl::IsPermissionDenied(
      s.school_manager->Call(&Stub::CreateUser, user).status()));
  CHECK(absl::IsPermissionDenied(
      s.school_manager->Call(&Stub::QueryAudit, v1::AuditQuery()).status()));
}

TEST_CASE(
    "A record goes from draft through both reviews to effective and only then "
    "to the outbox",
    "[workflow]") {
  Province p;
  Staff s = MakeStaff(p);
  const std::string id = IdCard("440103", "19850615", 31);  // odd: male
  // The ID-card number must agree with birth date and gender.
  v1::CreateTeacherRequest bad;
  bad.set_name("张三");
  bad.set_gender("2");
  bad.set_birth_date("1985-06-16");
  bad.set_id_card_number(id);
  bad.set_school_code("4401030001");
  auto refused = s.school_manager->Call(&Stub::CreateTeacher, bad);
  CHECK(absl::IsInvalidArgument(refused.status()));
  CHECK_THAT(std::string(refused.status().message()),
             Catch::Contains("birth_date='1985-06-16'"));
  CHECK_THAT(std::string(refused.status().message()),
             Catch::Contains("gender='2'"));
  bad.set_id_card_number(id.substr(0, 17) + (id[17] == '0' ? "1" : "0"));
  CHECK(absl::IsInvalidArgument(
      s.school_manager->Call(&Stub::CreateTeacher, bad).status()));

  v1::TeacherView t = Create(*s.school_manager, "张三", id, "1985-06-15", "男");
  CHECK(t.state() == "draft");
  CHECK(t.record().county_code() == "440103");
  CHECK(t.record().city_code() == "4401");
  const std::string number = t.teacher_number();
  // One person, one number.
  auto again = s.school_manager->Call(&Stub::CreateTeacher, [&] {
    auto r = bad;
    r.set_id_card_number(id);
    r.set_gender("1");
    r.set_birth_date("1985-06-15");
    return r;
  }());
  CHECK(absl::IsAlreadyExists(again.status()));
  CHECK_THAT(std::string(again.status().message()), Catch::Contains(number));

  // Incomplete: the check names what is missing.
  auto early = s.school_manager->Call(&Stub::SubmitTeacher, Number(number));
  CHECK(absl::IsInvalidArgument(early.status()));
  CHECK_THAT(std::string(early.status().message()),
             Catch::Contains("信息不完整"));
  CHECK_THAT(std::string(early.status().message()),
             Catch::Contains("hire_date"));
  CHECK_THAT(std::string(early.status().message()),
             Catch::Contains("「联系方式」至少填写一条"));
  // Bad values are refused and change nothing.
  auto future = s.school_manager->Call(
      &Stub::EditTeacher, Fields(number, {{"hire_date", "2999-01-01"}}));
  CHECK(absl::IsInvalidArgument(future.status()));
  CHECK_THAT(std::string(future.status().message()),
             Catch::Contains("不能晚于今天"));
  auto before_birth = s.school_manager->Call(
      &Stub::EditTeacher, Fields(number, {{"hire_date", "1990-01-01"}}));
  CHECK_THAT(std::string(before_birth.status().message()),
             Catch::Contains("满 16 周岁"));
  auto unknown = s.school_manager->Call(&Stub::EditTeacher,
                                        Fields(number, {{"ethnicity", "99"}}));
  CHECK(absl::IsInvalidArgument(unknown.status()));
  CHECK_THAT(std::string(unknown.status().message()),
             Catch::Contains("可选："));
  CHECK(absl::IsInvalidArgument(
      s.school_manager
          ->Call(&Stub::EditTeacher, Fields(number, {{"gender", "2"}}))
          .status()));
  CHECK(ValueOrDie(s.school_manager->Call(&Stub::GetTeacher, Number(number)))
            .version() == 1);

  // The first entry has a mistake (hired 2011), corrected after a return.
  ValueOrDie(s.school_manager->Call(&Stub::EditTeacher,
                                    Complete(number, "2011-09-01")));
  AddContact(*s.school_manager, number);
  CHECK(ValueOrDie(s.school_manager->Call(&Stub::SubmitTeacher, Number(number)))
            .state() == "submitted");
  CHECK(p.OutboxEnd() == 0);
  // Out of order: the county before the school, the school twice.
  CHECK(
      absl::IsPermissionDenied(ReviewStatus(*s.county_manager, number, true)));
  CHECK(absl::IsFailedPrecondition(
      s.school_manager->Call(&Stub::SubmitTeacher, Number(number)).status()));
  // Returning needs a reason.
  auto no_reason = ReviewStatus(*s.school_manager, number, false);
  CHECK(absl::IsInvalidArgument(no_reason));
  CHECK(Review(*s.school_manager, number, false, "hired in 2010, not 2011")
            .state() == "returned");
  // A returned record waits for the school's correction.
  v1::ReviewQueueResponse to_correct = ValueOrDie(
      s.school_manager->Call(&Stub::ReviewQueue, v1::ReviewQueueRequest()));
  REQUIRE(to_correct.items_size() == 1);
  CHECK(to_correct.items(0).step() == "correction");
  ValueOrDie(s.school_manager->Call(
      &Stub::EditTeacher,
      Fields(number, {{"hire_date", "2010-09-01"}}, "per the contract")));
  ValueOrDie(s.school_manager->Call(&Stub::SubmitTeacher, Number(number)));
  // 谁填报谁负责、谁审核谁负责: the submitter may not approve, even with the
  // role.
  absl::Status own = ReviewStatus(*s.school_manager, number, true);
  CHECK(absl::IsPermissionDenied(own));
  CHECK_THAT(std::string(own.message()),
             Catch::Contains("s1.manager 提交了教师"));
  CHECK_THAT(std::string(own.message()),
             Catch::Contains("不能再由本人审核通过"));
  CHECK(Review(*s.school_admin, number, true).state() == "school_approved");
  CHECK(
      absl::IsPermissionDenied(ReviewStatus(*s.school_manager, number, true)));
  CHECK(absl::IsPermissionDenied(
      ReviewStatus(*s.other_county_manager, number, true)));

  // The county's queue shows it; the school's no longer does.
  v1::ReviewQueueResponse county_queue = ValueOrDie(
      s.county_manager->Call(&Stub::ReviewQueue, v1::ReviewQueueRequest()));
  REQUIRE(county_queue.items_size() == 1);
  CHECK(county_queue.items(0).step() == "county_review");
  CHECK(county_queue.items(0).name() == "张三");
  CHECK(ValueOrDie(s.school_manager->Call(&Stub::ReviewQueue,
                                          v1::ReviewQueueRequest()))
            .items_size() == 0);
  CHECK(ValueOrDie(s.other_county_manager->Call(&Stub::ReviewQueue,
                                                v1::ReviewQueueRequest()))
            .items_size() == 0);

  // The county returns it once more, then re-reviews it: effective, and in
  // the outbox in the same step.
  CHECK(Review(*s.county_manager, number, false, "degree certificate missing")
            .state() == "returned");
  ValueOrDie(s.school_manager->Call(&Stub::SubmitTeacher, Number(number)));
  Review(*s.school_admin, number, true);
  CHECK(p.OutboxEnd() == 0);
  v1::TeacherView effective = Review(*s.county_manager, number, true);
  CHECK(effective.state() == "effective");
  CHECK(effective.approved_by() == "lw.manager");
  CHECK(p.OutboxEnd() == 1);
  CHECK(absl::IsFailedPrecondition(
      ReviewStatus(*s.county_manager, number, true)));
  CHECK(absl::IsFailedPrecondition(
      s.school_manager
          ->Call(&Stub::EditTeacher, Fields(number, {{"ethnicity", "02"}}))
          .status()));

  // The national node gets exactly the effective record.
  provincial::SyncReport sync = ValueOrDie(p.f().Sync("44"));
  CHECK(sync.applied == 1);

  // History: every version, the mistake and who did what.
  v1::TeacherHistoryResponse history =
      ValueOrDie(s.county_manager->Call(&Stub::TeacherHistory, Number(number)));
  std::vector<std::string> steps;
  for (const auto& v : history.versions())
    steps.push_back(absl::StrCat(v.state(), ":", v.change_action()));
  CHECK(steps == std::vector<std::string>{
                     "draft:teacher.create", "draft:teacher.edit",
                     "submitted:teacher.submit", "returned:review.return",
                     "returned:teacher.edit", "submitted:teacher.submit",
                     "school_approved:review.school_approve",
                     "returned:review.return", "submitted:teacher.submit",
                     "school_approved:review.school_approve",
                     "effective:review.county_approve"});
  CHECK(history.versions(3).change_reason() == "hired in 2010, not 2011");
  CHECK(history.versions(3).changed_by() == "s1.manager");
  CHECK(history.versions(7).changed_by() == "lw.manager");
  CHECK_FALSE(
      history.versions(0).has_record());  // the list; versions one at a time
  // The mistake stays visible in the version that had it.
  v1::TeacherHistoryResponse v2 = ValueOrDie(
      s.county_manager->Call(&Stub::TeacherHistory, Number(number, 2)));
  CHECK(v2.versions(0).record().hire_date() == "2011-09-01");
  CHECK(absl::IsNotFound(
      s.county_manager->Call(&Stub::TeacherHistory, Number(number, 99))
          .status()));
}

TEST_CASE(
    "Changes after effective: additions by the school, changes by the level "
    "above, teachers' field rights",
    "[workflow]") {
  Province p;
  Staff s = MakeStaff(p);
  const std::string number =
      Effective(s, "李四", IdCard("440103", "19900220", 42), "1990-02-20", "2");
  const std::string other =
      Effective(s, "王五", IdCard("440103", "19910301", 51), "1991-03-01", "1");
  const uint64_t outbox = p.OutboxEnd();

  // Self-service accounts from the teacher records.
  v1::UnitRequest school;
  school.set_unit_code("4401030001");
  auto made =
      ValueOrDie(s.school_admin->Call(&Stub::CreateTeacherAccounts, school));
  REQUIRE(made.accounts_size() == 2);
  CHECK(ValueOrDie(s.school_admin->Call(&Stub::CreateTeacherAccounts, school))
            .accounts_size() == 0);
  std::string initial;
  for (const auto& a : made.accounts())
    if (a.user().teacher_number() == number) initial = a.initial_password();
  auto teacher = p.FirstLogin(number, initial);
  NTMIS_ASSERT_OK(teacher->Call(&Stub::GetTeacher, Number(number)).status());
  CHECK(absl::IsPermissionDenied(
      teacher->Call(&Stub::GetTeacher, Number(other)).status()));
  CHECK(absl::IsPermissionDenied(
      teacher->Call(&Stub::ListTeachers, v1::ListTeachersRequest()).status()));

  // A teacher may not write an administration-only field.
  auto title = teacher->Call(&Stub::RequestChange,
                             Fields(number, {{"title", "2"}}, "promoted"));
  CHECK(absl::IsPermissionDenied(title.status()));
  CHECK_THAT(std::string(title.status().message()),
             Catch::Contains("教师本人可填写"));
  CHECK(p.Audited(absl::StrCat("actor = '", number,
                               "' AND result = 'PERMISSION_DENIED'")) == 3);
  // A change needs a reason; an effective record is not edited directly.
  CHECK(absl::IsInvalidArgument(
      teacher
          ->Call(&Stub::RequestChange,
                 Fields(number, {{"political_status", "01"}}))
          .status()));
  CHECK(absl::IsFailedPrecondition(
      teacher
          ->Call(&Stub::EditTeacher,
                 Fields(number, {{"political_status", "01"}}))
          .status()));

  // The teacher's own change: decided by the school.
  v1::ChangeRequestView own = ValueOrDie(teacher->Call(
      &Stub::RequestChange,
      Fields(number, {{"political_status", "01"}}, "joined the party")));
  CHECK(own.kind() == "change");
  CHECK(own.reviewer_unit() == "4401030001");
  CHECK(p.OutboxEnd() == outbox);  // nothing effective yet
  v1::ReviewQueueResponse queue = ValueOrDie(
      s.school_manager->Call(&Stub::ReviewQueue, v1::ReviewQueueRequest()));
  REQUIRE(queue.items_size() == 1);
  CHECK(queue.items(0).step() == "change_request");
  // The reviewer sees the value now beside the value asked for, as labels,
  // with the requester's reason, and the school by name.
  CHECK(queue.items(0).reason() == "joined the party");
  CHECK(queue.items(0).category_label() == "基本信息");
  CHECK_FALSE(queue.items(0).school_name().empty());
  CHECK(queue.items(0).school_name() != queue.items(0).school_code());
  REQUIRE(queue.items(0).changes_size() == 1);
  CHECK(queue.items(0).changes(0).label() == "政治面貌");
  CHECK(queue.items(0).changes(0).old_value() == "群众");
  CHECK(queue.items(0).changes(0).new_value() == "中共党员");
  v1::DecideChangeRequest decide;
  decide.set_id(own.id());
  decide.set_approve(true);
  CHECK(
      ValueOrDie(s.school_manager->Call(&Stub::DecideChange, decide)).state() ==
      "approved");
  CHECK(p.OutboxEnd() == outbox + 1);
  v1::TeacherView after =
      ValueOrDie(teacher->Call(&Stub::GetTeacher, Number(number)));
  CHECK(after.record().political_status() == 1);
  CHECK(after.approved_by() == "s1.manager");
  CHECK(after.changed_by() == number);
  CHECK(absl::IsFailedPrecondition(
      s.school_manager->Call(&Stub::DecideChange, decide).status()));

  // The school's change of existing information: decided by its county,
  // not by the school itself; a rejection needs a reason and changes nothing.
  v1::ChangeRequestView by_school = ValueOrDie(s.school_manager->Call(
      &Stub::RequestChange,
      Fields(number, {{"title", "2"}}, "promoted to senior")));
  CHECK(by_school.reviewer_unit() == "440103");
  decide.set_id(by_school.id());
  CHECK(absl::IsPermissionDenied(
      s.school_manager->Call(&Stub::DecideChange, decide).status()));
  CHECK(absl::IsPermissionDenied(
      s.other_county_manager->Call(&Stub::DecideChange, decide).status()));
  decide.set_approve(false);
  CHECK(absl::IsInvalidArgument(
      s.county_manager->Call(&Stub::DecideChange, decide).status()));
  decide.set_reason("the appointment letter is not attached");
  CHECK(
      ValueOrDie(s.county_manager->Call(&Stub::DecideChange, decide)).state() ==
      "rejected");
  CHECK(p.OutboxEnd() == outbox + 1);
  CHECK(ValueOrDie(teacher->Call(&Stub::GetTeacher, Number(number)))
            .record()
            .title() == 3);
  // Approved by the county: effective and in the outbox.
  by_school = ValueOrDie(s.school_manager->Call(
      &Stub::RequestChange,
      Fields(number, {{"title", "2"}}, "promoted, letter attached")));
  decide.set_id(by_school.id());
  decide.set_approve(true);
  CHECK(
      ValueOrDie(s.county_manager->Call(&Stub::DecideChange, decide)).state() ==
      "approved");
  CHECK(p.OutboxEnd() == outbox + 2);
  CHECK(ValueOrDie(teacher->Call(&Stub::GetTeacher, Number(number)))
            .record()
            .title() == 2);

  // An invalid change is refused when requested.
  CHECK(absl::IsInvalidArgument(
      s.school_manager
          ->Call(&Stub::RequestChange,
                 Fields(number, {{"hire_date", "2999-01-01"}}, "typo"))
          .status()));
  // History keeps both decisions.
  v1::TeacherHistoryResponse history =
      ValueOrDie(teacher->Call(&Stub::TeacherHistory, Number(number)));
  REQUIRE(history.change_requests_size() == 3);
  CHECK(history.change_requests(1).state() == "rejected");
  CHECK(history.change_requests(1).decision_reason() ==
        "the appointment letter is not attached");
  CHECK(history.versions(history.versions_size() - 1).change_action() ==
        "change.change");
}

TEST_CASE(
    "Units change after the import, lists page, progress counts, the audit "
    "chain detects an edit",
    "[workflow]") {
  Province p;
  Staff s = MakeStaff(p);
  const std::string moved =
      Effective(s, "赵六", IdCard("440103", "19870707", 61), "1987-07-07", "1");
  v1::TeacherView draft =
      Create(*s.school_manager, "钱七", IdCard("440103", "19920909", 72),
             "1992-09-09", "2");
  ValueOrDie(s.school_manager->Call(
      &Stub::EditTeacher, Complete(draft.teacher_number(), "2015-09-01")));
  AddContact(*s.school_manager, draft.teacher_number());
  ValueOrDie(s.school_manager->Call(&Stub::SubmitTeacher,
                                    Number(draft.teacher_number())));
  Create(*s.school_manager, "孙八", IdCard("440103", "19930303", 81),
         "1993-03-03", "1");

  // Progress for the city, by county.
  v1::UnitRequest unit;
  unit.set_unit_code("4401");
  v1::ProgressReport report =
      ValueOrDie(s.city_admin->Call(&Stub::Progress, unit));
  CHECK(report.total().entered() == 3);
  CHECK(report.total().submitted() == 2);
  CHECK(report.total().school_approved() == 1);
  CHECK(report.total().effective() == 1);
  REQUIRE(report.children_size() == 2);
  CHECK(report.children(0).unit_code() == "440103");
  CHECK(report.children(0).entered() == 3);
  CHECK(report.children(1).entered() == 0);
  CHECK(report.incomplete_total() == 2);

  // Listing pages through a unit's teachers.
  v1::ListTeachersRequest list;
  list.set_unit_code("440103");
  list.set_page_size(2);
  v1::ListTeachersResponse page1 =
      ValueOrDie(s.county_manager->Call(&Stub::ListTeachers, list));
  CHECK(page1.teachers_size() == 2);
  REQUIRE_FALSE(page1.next_page_token().empty());
  list.set_page_token(page1.next_page_token());
  v1::ListTeachersResponse page2 =
      ValueOrDie(s.county_manager->Call(&Stub::ListTeachers, list));
  CHECK(page2.teachers_size() == 1);
  CHECK(page2.next_page_token().empty());
  list.clear_page_token();
  list.set_state("draft");
  CHECK(ValueOrDie(s.county_manager->Call(&Stub::ListTeachers, list))
            .teachers_size() == 1);

  // Searching by part of a name, or by teacher number, within the scope.
  list.clear_state();
  list.set_page_size(50);
  const v1::TeacherSummary first = page1.teachers(0);
  list.set_search(first.name().substr(0, 3));  // the family name, one character
  v1::ListTeachersResponse by_name =
      ValueOrDie(s.county_manager->Call(&Stub::ListTeachers, list));
  REQUIRE(by_name.teachers_size() >= 1);
  for (const auto& t : by_name.teachers())
    CHECK(t.name().find(first.name().substr(0, 3)) != std::string::npos);
  list.set_search(first.teacher_number());
  v1::ListTeachersResponse by_number =
      ValueOrDie(s.county_manager->Call(&Stub::ListTeachers, list));
  REQUIRE(by_number.teachers_size() == 1);
  CHECK(by_number.teachers(0).teacher_number() == first.teacher_number());
  list.set_search("不存在的名字");
  CHECK(ValueOrDie(s.county_manager->Call(&Stub::ListTeachers, list))
            .teachers_size() == 0);
  list.clear_search();

  // Pages by number, sorted by a column, with the total and school names
  // (the console's table); at the province a search reads the index of
  // names.
  v1::ListTeachersRequest numbered;
  numbered.set_unit_code("440103");
  numbered.set_page_size(2);
  numbered.set_page(1);
  numbered.set_order(v1::ListTeachersRequest::ORDER_NAME);
  numbered.set_descending(true);
  auto by_page1 =
      ValueOrDie(s.county_manager->Call(&Stub::ListTeachers, numbered));
  CHECK(by_page1.total() == 3);
  CHECK(by_page1.page() == 1);
  REQUIRE(by_page1.teachers_size() == 2);
  CHECK(by_page1.teachers(0).name() >= by_page1.teachers(1).name());
  CHECK(by_page1.teachers(0).school_name() == "荔湾第一小学");
  numbered.set_page(2);
  auto by_page2 =
      ValueOrDie(s.county_manager->Call(&Stub::ListTeachers, numbered));
  REQUIRE(by_page2.teachers_size() == 1);
  CHECK(by_page2.teachers(0).name() <= by_page1.teachers(1).name());
  CHECK(by_page2.total() == 3);
  numbered.set_page(1);
  numbered.clear_unit_code();  // the province
  numbered.set_search(first.name().substr(0, 3));
  auto province_wide =
      ValueOrDie(p.admin().Call(&Stub::ListTeachers, numbered));
  CHECK(province_wide.total() >= 1);
  for (const auto& t : province_wide.teachers())
    CHECK(absl::StrContains(t.name(), first.name().substr(0, 3)));

  // Add, rename, move a school (its effective record is re-sent with the
  // new county), close what is empty; closed units keep their history.
  v1::UnitInfo add;
  add.set_code("4401030003");
  add.set_parent_code("440103");
  add.set_level(4);
  add.set_name("荔湾第三小学");
  add.set_school_category(2);
  NTMIS_ASSERT_OK(s.county_admin->Call(&Stub::AddUnit, add).status());
  auto duplicate = s.county_admin->Call(&Stub::AddUnit, add);
  CHECK(absl::IsInvalidArgument(duplicate.status()));
  CHECK_THAT(std::string(duplicate.status().message()),
             Catch::Contains("单位代码已存在"));
  add.set_code("4402010009");
  add.set_parent_code("440201");
  CHECK(absl::IsPermissionDenied(
      s.county_admin->Call(&Stub::AddUnit, add).status()));
  v1::RenameUnitRequest rename;
  rename.set_code("4401030003");
  rename.set_name("荔湾实验小学");
  CHECK(ValueOrDie(s.county_admin->Call(&Stub::RenameUnit, rename)).name() ==
        "荔湾实验小学");

  const uint64_t outbox = p.OutboxEnd();
  v1::MoveUnitRequest move;
  move.set_code("4401030001");
  move.set_new_parent_code("440104");
  CHECK(absl::IsPermissionDenied(
      s.county_admin->Call(&Stub::MoveUnit, move).status()));  // not its county
  CHECK(ValueOrDie(s.city_admin->Call(&Stub::MoveUnit, move)).parent_code() ==
        "440104");
  CHECK(p.OutboxEnd() == outbox + 1);  // only the effective record
  v1::TeacherView after =
      ValueOrDie(s.city_admin->Call(&Stub::GetTeacher, Number(moved)));
  CHECK(after.record().county_code() == "440104");
  CHECK(after.state() == "effective");
  // The county that lost the school no longer reaches its teachers.
  CHECK(absl::IsPermissionDenied(
      s.county_manager->Call(&Stub::GetTeacher, Number(moved)).status()));
  move.set_code("440103");
  move.set_new_parent_code("4401");
  CHECK(absl::IsInvalidArgument(
      s.city_admin->Call(&Stub::MoveUnit, move).status()));

  v1::CloseUnitRequest close;
  close.set_code("4401030001");
  close.set_reason("merged");
  auto busy = s.city_admin->Call(&Stub::CloseUnit, close);
  CHECK(absl::IsFailedPrecondition(busy.status()));
  CHECK_THAT(std::string(busy.status().message()),
             Catch::Contains("名在册教师"));
  close.set_code("4401030003");
  close.clear_reason();
  CHECK(absl::IsInvalidArgument(
      s.county_admin->Call(&Stub::CloseUnit, close).status()));
  close.set_reason("never opened");
  CHECK(ValueOrDie(s.county_admin->Call(&Stub::CloseUnit, close)).closed());
  v1::ListUnitsRequest units;
  units.set_unit_code("440103");
  CHECK(
      ValueOrDie(s.county_admin->Call(&Stub::ListUnits, units)).units_size() ==
      1);
  units.set_include_closed(true);
  CHECK(
      ValueOrDie(s.county_admin->Call(&Stub::ListUnits, units)).units_size() ==
      2);
  // The directory of units: a school's staff read the province's open units
  // beyond their own (a rotation's receiving school), nothing else widens.
  v1::ListUnitsRequest directory;
  directory.set_unit_code("44");
  CHECK(absl::IsPermissionDenied(
      s.school_manager->Call(&Stub::ListUnits, directory).status()));
  directory.set_directory(true);
  CHECK(ValueOrDie(s.school_manager->Call(&Stub::ListUnits, directory))
            .units_size() == 2);
  directory.set_unit_code("440104");
  const v1::ListUnitsResponse neighbours =
      ValueOrDie(s.school_manager->Call(&Stub::ListUnits, directory));
  REQUIRE(neighbours.units_size() >= 1);
  CHECK(neighbours.units(0).parent_code() == "440104");
  CHECK_FALSE(neighbours.units(0).name().empty());
  v1::ListTeachersRequest beyond;
  beyond.set_unit_code("440104");
  CHECK(absl::IsPermissionDenied(
      s.school_manager->Call(&Stub::ListTeachers, beyond).status()));
  v1::CreateTeacherRequest at_closed;
  at_closed.set_name("x");
  at_closed.set_gender("1");
  at_closed.set_birth_date("1990-01-01");
  at_closed.set_id_card_number(IdCard("440103", "19900101", 91));
  at_closed.set_school_code("4401030003");
  auto refused_closed = s.county_manager->Call(&Stub::CreateTeacher, at_closed);
  CHECK(absl::IsInvalidArgument(refused_closed.status()));
  CHECK_THAT(std::string(refused_closed.status().message()),
             Catch::Contains("该学校已撤销"));

  // The audit log: queried by actor and action, verified, and an edit made
  // directly in the file is found.
  v1::AuditQuery query;
  query.set_action("review.");
  v1::AuditEntries reviews =
      ValueOrDie(p.admin().Call(&Stub::QueryAudit, query));
  CHECK(reviews.entries_size() == 2);  // the school's and the county's approval
  query.clear_action();
  query.set_actor("s1.manager");
  query.set_action("teacher.create");
  CHECK(ValueOrDie(p.admin().Call(&Stub::QueryAudit, query)).entries_size() ==
        3);
  // A county administrator sees only what its unit's accounts did.
  v1::AuditQuery mine;
  v1::AuditEntries county =
      ValueOrDie(s.county_admin->Call(&Stub::QueryAudit, mine));
  for (const auto& e : county.entries()) {
    INFO(e.actor());
    CHECK((e.actor() == "lw.admin" || e.actor() == "lw.manager" ||
           e.actor() == "s1.admin" || e.actor() == "s1.manager" ||
           e.actor() == "s1.reviewer" || e.actor() == "lw.viewer"));
  }
  // Every action and result of the whole run reads in Chinese.
  CHECK(CheckAuditInChinese(p.admin()) > 50);
  CHECK(absl::IsPermissionDenied(
      s.county_admin->Call(&Stub::VerifyAudit, {}).status()));
  v1::VerifyAuditResponse intact =
      ValueOrDie(p.admin().Call(&Stub::VerifyAudit, {}));
  CHECK(intact.intact());
  CHECK(intact.entries_checked() > 20);
  {
    sql::Database db =
        ValueOrDie(sql::Database::Open(p.f().province("44").database()));
    NTMIS_ASSERT_OK(
        db.Exec("DROP TRIGGER audit_no_update; "
                "UPDATE audit SET detail = 'nothing happened' WHERE id = 7"));
  }
  v1::VerifyAuditResponse broken =
      ValueOrDie(p.admin().Call(&Stub::VerifyAudit, {}));
  CHECK_FALSE(broken.intact());
  CHECK_THAT(broken.problem(), Catch::Contains("entry 7"));
}

}  // namespace
}  // namespace ntmis::testing

namespace ntmis::testing {
namespace {

TEST_CASE(
    "A step that fails half-way leaves record, history and outbox as they were",
    "[workflow]") {
  Province p;
  Staff s = MakeStaff(p);
  v1::TeacherView t =
      Create(*s.school_manager, "林一", IdCard("440103", "19830303", 19),
             "1983-03-03", "1");
  const std::string number = t.teacher_number();
  ValueOrDie(s.school_manager->Call(&Stub::EditTeacher,
                                    Complete(number, "2006-09-01")));
  AddContact(*s.school_manager, number);
  ValueOrDie(s.school_manager->Call(&Stub::SubmitTeacher, Number(number)));
  Review(*s.school_admin, number, true);
  auto count = [&](const std::string& sql) {
    sql::Database db =
        ValueOrDie(sql::Database::Open(p.f().province("44").database()));
    return ValueOrDie(db.QueryInt(sql));
  };
  const int64_t versions = count("SELECT COUNT(*) FROM teacher_versions");
  // The outbox refuses the write that would make the record effective: the
  // re-review fails after the version was copied and the row updated.
  {
    sql::Database db =
        ValueOrDie(sql::Database::Open(p.f().province("44").database()));
    NTMIS_ASSERT_OK(
        db.Exec("CREATE TRIGGER outbox_full BEFORE INSERT ON outbox "
                "BEGIN SELECT RAISE(ABORT, 'disk full'); END"));
  }
  CHECK_FALSE(ReviewStatus(*s.county_manager, number, true).ok());
  v1::TeacherView after =
      ValueOrDie(s.county_manager->Call(&Stub::GetTeacher, Number(number)));
  CHECK(after.state() == "school_approved");
  CHECK(after.version() == t.version() + 3);  // edit, submit, school approval
  CHECK(count("SELECT COUNT(*) FROM teacher_versions") == versions);
  CHECK(p.OutboxEnd() == 0);
  {
    sql::Database db =
        ValueOrDie(sql::Database::Open(p.f().province("44").database()));
    NTMIS_ASSERT_OK(db.Exec("DROP TRIGGER outbox_full"));
  }
  CHECK(Review(*s.county_manager, number, true).state() == "effective");
  CHECK(p.OutboxEnd() == 1);
  CHECK(count("SELECT COUNT(*) FROM teacher_versions") == versions + 1);
}

TEST_CASE(
    "The missing administrators of the units one level down are created at "
    "once and once",
    "[workflow]") {
  Province p;
  auto tree =
      ValueOrDie(p.admin().Call(&Stub::ListChildAccounts, v1::UnitRequest()));
  REQUIRE(tree.children_size() == 2);
  CHECK(tree.missing_sysadmins() == 2);
  CHECK(tree.unit().code() == "44");

  // Four sessions of the province's administrator press the button at once.
  std::vector<std::unique_ptr<provincial::ApiClient>> sessions;
  for (int i = 0; i < 4; ++i) sessions.push_back(p.f().Admin("44"));
  std::mutex mu;
  std::vector<v1::CreateUserResponse> made;
  int failed = 0;
  std::vector<std::thread> threads;
  for (auto& session : sessions) {
    threads.emplace_back([&, client = session.get()] {
      auto r = client->Call(&Stub::CreateMissingAdmins, v1::UnitRequest());
      std::lock_guard<std::mutex> lock(mu);
      if (!r.ok()) {
        ++failed;
        return;
      }
      for (const auto& a : r->accounts()) made.push_back(a);
    });
  }
  for (auto& t : threads) t.join();
  CHECK(failed == 0);
  REQUIRE(made.size() == 2);
  tree =
      ValueOrDie(p.admin().Call(&Stub::ListChildAccounts, v1::UnitRequest()));
  CHECK(tree.missing_sysadmins() == 0);
  for (const auto& c : tree.children()) {
    REQUIRE(c.sysadmins_size() == 1);
    CHECK(c.sysadmins(0) == absl::StrCat("admin", c.unit().code()));
  }
  // The slip's data: the unit by name, and a password that logs in.
  const v1::CreateUserResponse& first = made[0];
  CHECK_FALSE(first.user().unit_name().empty());
  CHECK(first.user().unit_name() != first.user().unit_code());
  auto city_admin = FirstLogin(p.f(), "44", first.user().username(),
                               first.initial_password());
  auto counties =
      ValueOrDie(city_admin->Call(&Stub::ListChildAccounts, v1::UnitRequest()));
  CHECK(counties.missing_sysadmins() ==
        static_cast<uint32_t>(counties.children_size()));
  // Only the administrator's own unit's children, only by an administrator.
  v1::UnitRequest province;
  province.set_unit_code("44");
  CHECK(absl::IsPermissionDenied(
      city_admin->Call(&Stub::CreateMissingAdmins, province).status()));
  CHECK(absl::IsPermissionDenied(
      city_admin->Call(&Stub::ListChildAccounts, province).status()));
  CHECK(
      ValueOrDie(p.admin().Call(&Stub::CreateMissingAdmins, v1::UnitRequest()))
          .accounts_size() == 0);
}

}  // namespace
}  // namespace ntmis::testing

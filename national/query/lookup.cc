#include "national/query/lookup.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/base/status_macros.h"
#include "common/crypto/crypto.h"
#include "common/teacher/code_tables.h"
#include "common/teacher/id_card.h"
#include "common/teacher/teacher_number.h"

namespace ntmis::national {

// The matches, without their items as people read them (below).
absl::StatusOr<v1::LookupResponse> FindMatches(
    NationalStore& store, const std::string& id_hash_key,
    const v1::LookupRequest& request);

namespace {

template <typename Enum>
std::string Named(int code) {
  return code == 0 ? std::string() : CodeTable::Of<Enum>().Label(code);
}

// The record's items as people read them: official labels for codes,
// names for places and the school.
void Describe(NationalStore& store, const v1::LookupRequest& request,
              v1::LookupMatch& m) {
  const v1::TeacherRecord& r = m.record();
  auto add = [&m](const char* label, const std::string& value) {
    v1::LabeledValue* f = m.add_fields();
    f->set_label(label);
    f->set_value(value);
  };
  add("教师编号", r.teacher_number());
  add("姓名", r.name());
  if (request.key_case() == v1::LookupRequest::kIdCardNumber)
    add("身份证号（已遮蔽）",
        MaskIdCard(absl::AsciiStrToUpper(request.id_card_number())));
  add("性别", Named<v1::Gender>(r.gender()));
  add("出生日期", r.birth_date());
  add("民族", Named<v1::Ethnicity>(r.ethnicity()));
  add("政治面貌", Named<v1::PoliticalStatus>(r.political_status()));
  add("入职日期", r.hire_date());
  add("用人形式", Named<v1::EmploymentType>(r.employment_type()));
  add("在岗状态", Named<v1::InServiceStatus>(r.status()));
  add("所属省份", Named<v1::Province>(r.province()));
  add("地市", store.divisions().Name(r.city_code()));
  add("区县", store.divisions().Name(r.county_code()));
  const std::string school = store.schools().NameOf(r.school_code());
  add("学校", school.empty()
                  ? r.school_code()
                  : absl::StrCat(school, "（", r.school_code(), "）"));
  add("学校类别", Named<v1::SchoolCategory>(r.school_category()));
  add("岗位类别", Named<v1::PostType>(r.post_type()));
  add("最高学历", Named<v1::Education>(r.education()));
  add("最高学位", Named<v1::Degree>(r.degree()));
  add("专业技术职务", Named<v1::TitleLevel>(r.title()));
  add("教师资格", Named<v1::QualificationType>(r.qualification()));
  m.set_province_label(Named<v1::Province>(r.province()));
}

}  // namespace

absl::StatusOr<v1::LookupResponse> Lookup(NationalStore& store,
                                          const std::string& id_hash_key,
                                          const v1::LookupRequest& request) {
  ASSIGN_OR_RETURN(v1::LookupResponse response,
                   FindMatches(store, id_hash_key, request));
  for (v1::LookupMatch& m : *response.mutable_matches())
    Describe(store, request, m);
  return response;
}

std::string LookupTarget(const v1::LookupRequest& request) {
  if (request.key_case() == v1::LookupRequest::kIdCardNumber)
    return absl::StrCat("id ", MaskIdCard(request.id_card_number()));
  return request.teacher_number();
}

absl::StatusOr<v1::LookupResponse> FindMatches(
    NationalStore& store, const std::string& id_hash_key,
    const v1::LookupRequest& request) {
  if (absl::StripAsciiWhitespace(request.reason()).size() < kMinReasonLength) {
    return absl::InvalidArgumentError(
        absl::StrCat("查询个人记录须填写事由（至少 ", kMinReasonLength,
                     " 个字符，记入审计日志）"));
  }
  v1::LookupResponse response;
  switch (request.key_case()) {
    case v1::LookupRequest::kTeacherNumber: {
      const std::string& number = request.teacher_number();
      if (!IsValidTeacherNumber(number)) {
        return absl::InvalidArgumentError(
            absl::StrCat("「", number,
                         "」不是有效的教师编号（12 位数字，末位为 MOD 11-10 "
                         "校验码）"));
      }
      const std::string owner = store.owners().Owner(number);
      auto db = store.Province(owner, /*create=*/false);
      auto record = db.ok() ? (*db)->Find(number)
                            : absl::StatusOr<v1::TeacherRecord>(db.status());
      if (absl::IsNotFound(record.status()))
        return absl::NotFoundError(
            absl::StrCat("没有省份持有教师编号 ", number, " 的记录"));
      if (!record.ok()) return record.status();
      v1::LookupMatch* m = response.add_matches();
      m->set_province(owner);
      *m->mutable_record() = std::move(*record);
      return response;
    }
    case v1::LookupRequest::kIdCardNumber: {
      const std::string id = absl::AsciiStrToUpper(request.id_card_number());
      auto parsed = ParseIdCard(id);
      if (!parsed.ok()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "身份证号 ", MaskIdCard(id), "：", parsed.status().message()));
      }
      if (id_hash_key.empty()) {
        return absl::FailedPreconditionError(
            "国家级节点未配置 id_hash_key，不能按身份证号查询：请按教师编号"
            "查询");
      }
      // The person's numbers come from the identity registry: the one
      // registered, and any second number an identity conflict recorded.
      const std::string id_hash = crypto::HmacSha256(id_hash_key, id);
      ASSIGN_OR_RETURN(auto registered, store.identities().Resolve({id_hash}));
      std::vector<std::string> numbers;
      if (registered[0]) {
        numbers.push_back(registered[0]->teacher_number);
        ASSIGN_OR_RETURN(
            std::vector<std::string> second,
            store.identities().SecondNumbers(registered[0]->teacher_number));
        numbers.insert(numbers.end(), second.begin(), second.end());
      }
      for (const std::string& number : numbers) {
        const std::string owner = store.owners().Owner(number);
        auto db = store.Province(owner, /*create=*/false);
        if (absl::IsNotFound(db.status())) continue;
        if (!db.ok()) return db.status();
        auto record = (*db)->Find(number);
        if (absl::IsNotFound(record.status()))
          continue;  // withdrawn, or refused
        if (!record.ok()) return record.status();
        v1::LookupMatch* m = response.add_matches();
        m->set_province(owner);
        *m->mutable_record() = std::move(*record);
      }
      if (response.matches().empty())
        return absl::NotFoundError(
            absl::StrCat("没有省份持有 ", LookupTarget(request), " 的记录"));
      return response;
    }
    default:
      return absl::InvalidArgumentError("请填写教师编号或身份证号");
  }
}

}  // namespace ntmis::national

// A province to work in for tests of the provincial node's users: province
// 44 with a small unit tree and accounts down to the schools, each created
// through the real API by the system administrator above it; helpers for
// teachers, reviews and entries.
#ifndef NTMIS_TESTS_SUPPORT_PROVINCE_FIXTURE_H_
#define NTMIS_TESTS_SUPPORT_PROVINCE_FIXTURE_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "tests/support/test_support.h"

namespace ntmis::testing {

inline constexpr char kPassword[] = "Chosen-Passw0rd";

// A valid ID-card number: region, birth date YYYYMMDD, sequence (odd male).
std::string IdCard(const std::string& region, const std::string& birth,
                   int sequence);

// Cities 4401 (counties 440103 with schools 4401030001 and 4401030002,
// 440104 with 4401040001) and 4402 (county 440201, school 4402010001).
extern const char kUnits[];

// A new user's first session, as the console walks it: log in with the
// generated password, change it to kPassword (the must-change-password
// gate), log in again.
std::unique_ptr<provincial::ApiClient> FirstLogin(Federation& f,
                                                  const std::string& province,
                                                  const std::string& name,
                                                  const std::string& initial);
// Creates `name` through `by` and returns its first session (FirstLogin).
std::unique_ptr<provincial::ApiClient> NewAccount(
    Federation& f, const std::string& province, provincial::ApiClient& by,
    const std::string& name, const std::string& unit, v1::UserRole role);

class Province {
 public:
  Province();

  Federation& f() { return f_; }
  provincial::ApiClient& admin() { return *admin_; }
  std::unique_ptr<provincial::ApiClient> Connect();
  // Creates `name` through `by`, logs in with the initial password and
  // changes it to kPassword.
  std::unique_ptr<provincial::ApiClient> Account(provincial::ApiClient& by,
                                                 const std::string& name,
                                                 const std::string& unit,
                                                 v1::UserRole role);
  std::unique_ptr<provincial::ApiClient> FirstLogin(const std::string& name,
                                                    const std::string& initial);
  // Rows of the province's audit log matching an SQL condition.
  int64_t Audited(const std::string& where);
  uint64_t OutboxEnd();

 private:
  Federation f_;
  std::unique_ptr<provincial::ApiClient> admin_;
};

// The accounts of school 4401030001's chain, as the seeds' defaults give
// them: the city, county and school administrators (the school's is its
// responsible person, who reviews what its information manager enters), the
// school's information manager, the county's information manager, and the
// neighbouring county 440104's administrator and manager.
struct Staff {
  std::unique_ptr<provincial::ApiClient> city_admin, county_admin, school_admin,
      school_manager, county_manager, other_county_admin, other_county_manager;
};
Staff MakeStaff(Province& p);

v1::TeacherView Create(provincial::ApiClient& by, const std::string& name,
                       const std::string& id, const std::string& birth,
                       const std::string& gender,
                       const std::string& school = "4401030001");
// Appends field values in order.
void SetFields(google::protobuf::RepeatedPtrField<v1::FieldValue>* out,
               const std::vector<std::pair<std::string, std::string>>& fields);
v1::EditTeacherRequest Fields(
    const std::string& number,
    std::vector<std::pair<std::string, std::string>> fields,
    const std::string& reason = "");
// Every core field the completeness check asks for beyond the identity items.
v1::EditTeacherRequest Complete(const std::string& number,
                                const std::string& hire_date);
// The contact entry every record needs before submission.
void AddContact(provincial::ApiClient& by, const std::string& number);
v1::TeacherView Review(provincial::ApiClient& by, const std::string& number,
                       bool approve, const std::string& reason = "");
absl::Status ReviewStatus(provincial::ApiClient& by, const std::string& number,
                          bool approve, const std::string& reason = "");
v1::TeacherRequest Number(const std::string& number, uint32_t version = 0);
// Every audit entry `admin` may read (up to 5,000, newest first) names its
// action and result in Chinese (provincial/core/action_labels.h); returns
// how many were checked.
int CheckAuditInChinese(provincial::ApiClient& admin);
// Creates, completes, submits and takes a teacher through both reviews.
std::string Effective(Staff& s, const std::string& name, const std::string& id,
                      const std::string& birth, const std::string& gender);

}  // namespace ntmis::testing

#endif  // NTMIS_TESTS_SUPPORT_PROVINCE_FIXTURE_H_

// common/rpc/proto_json.h against protobuf's own JSON printer, on random
// messages of every request and answer of ProvincialApi.
#include "common/rpc/proto_json.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>

#include <catch2/catch.hpp>
#include <random>

#include "ntmis/v1/provincial.grpc.pb.h"

namespace ntmis {
namespace {

namespace pb = google::protobuf;
using Field = pb::FieldDescriptor;

class RandomFiller {
 public:
  explicit RandomFiller(unsigned seed) : random_(seed) {}

  void Fill(pb::Message* message, int depth) {
    const pb::Descriptor* type = message->GetDescriptor();
    for (int f = 0; f < type->field_count(); ++f) {
      const Field* field = type->field(f);
      if (Pick(3) == 0) continue;  // left unset: its default must still print
      if (field->is_repeated()) {
        const int n = static_cast<int>(Pick(3));
        for (int i = 0; i < n; ++i) Add(message, field, depth);
      } else if (field->cpp_type() != Field::CPPTYPE_MESSAGE || depth < 3) {
        Set(message, field, depth);
      }
    }
  }

 private:
  unsigned Pick(unsigned n) {
    return std::uniform_int_distribution<unsigned>(0, n - 1)(random_);
  }

  std::string Text() {
    static const char* kPieces[] = {"张三",
                                    "a\"b",
                                    "<script>",
                                    "\\",
                                    "\n\t",
                                    "\x01",
                                    "\xE2\x80\xA8",
                                    "&amp;",
                                    "44010119900101123X",
                                    "",
                                    "é",
                                    "👩‍🏫"};
    std::string out;
    for (unsigned n = Pick(4); n > 0; --n)
      out += kPieces[Pick(std::size(kPieces))];
    return out;
  }
  double Double() {
    static const double kValues[] = {0,         1.5, -2.25, 1e10,
                                     12345.678, 0.1, -7,    3e-5};
    return kValues[Pick(std::size(kValues))];
  }
  int EnumValue(const Field* field) {
    const pb::EnumDescriptor* type = field->enum_type();
    return type->value(static_cast<int>(Pick(type->value_count())))->number();
  }

  void Set(pb::Message* m, const Field* field, int depth) {
    const pb::Reflection* r = m->GetReflection();
    switch (field->cpp_type()) {
      case Field::CPPTYPE_INT32:
        r->SetInt32(m, field, static_cast<int32_t>(random_()));
        break;
      case Field::CPPTYPE_UINT32:
        r->SetUInt32(m, field, static_cast<uint32_t>(random_()));
        break;
      case Field::CPPTYPE_INT64:
        r->SetInt64(m, field, -static_cast<int64_t>(random_()) << 20);
        break;
      case Field::CPPTYPE_UINT64:
        r->SetUInt64(m, field, uint64_t{random_()} << 30);
        break;
      case Field::CPPTYPE_DOUBLE:
        r->SetDouble(m, field, Double());
        break;
      case Field::CPPTYPE_FLOAT:
        r->SetFloat(m, field, static_cast<float>(Double()));
        break;
      case Field::CPPTYPE_BOOL:
        r->SetBool(m, field, Pick(2) == 1);
        break;
      case Field::CPPTYPE_ENUM:
        r->SetEnumValue(m, field, EnumValue(field));
        break;
      case Field::CPPTYPE_STRING:
        r->SetString(m, field, Text());
        break;
      case Field::CPPTYPE_MESSAGE:
        Fill(r->MutableMessage(m, field), depth + 1);
        break;
    }
  }
  void Add(pb::Message* m, const Field* field, int depth) {
    const pb::Reflection* r = m->GetReflection();
    switch (field->cpp_type()) {
      case Field::CPPTYPE_INT32:
        r->AddInt32(m, field, static_cast<int32_t>(random_()));
        break;
      case Field::CPPTYPE_UINT32:
        r->AddUInt32(m, field, static_cast<uint32_t>(random_()));
        break;
      case Field::CPPTYPE_INT64:
        r->AddInt64(m, field, static_cast<int64_t>(random_()) << 20);
        break;
      case Field::CPPTYPE_UINT64:
        r->AddUInt64(m, field, uint64_t{random_()} << 30);
        break;
      case Field::CPPTYPE_DOUBLE:
        r->AddDouble(m, field, Double());
        break;
      case Field::CPPTYPE_FLOAT:
        r->AddFloat(m, field, static_cast<float>(Double()));
        break;
      case Field::CPPTYPE_BOOL:
        r->AddBool(m, field, Pick(2) == 1);
        break;
      case Field::CPPTYPE_ENUM:
        r->AddEnumValue(m, field, EnumValue(field));
        break;
      case Field::CPPTYPE_STRING:
        r->AddString(m, field, Text());
        break;
      case Field::CPPTYPE_MESSAGE:
        if (depth < 3) Fill(r->AddMessage(m, field), depth + 1);
        break;
    }
  }

  std::mt19937 random_;
};

// A JSON text as a tree, so that two spellings of the same value compare equal.
pb::Value Tree(const std::string& json) {
  pb::Value value;
  const auto status = pb::util::JsonStringToMessage(json, &value);
  INFO(json);
  REQUIRE(status.ok());
  return value;
}

TEST_CASE(
    "ProtoJson writes what protobuf's printer writes for every API message") {
  const pb::ServiceDescriptor* service =
      pb::DescriptorPool::generated_pool()->FindServiceByName(
          v1::ProvincialApi::service_full_name());
  REQUIRE(service != nullptr);
  pb::MessageFactory* factory = pb::MessageFactory::generated_factory();
  pb::util::JsonPrintOptions print;
  print.always_print_primitive_fields = true;
  print.preserve_proto_field_names = true;
  RandomFiller filler(20261204);
  int compared = 0;
  for (int m = 0; m < service->method_count(); ++m) {
    for (const pb::Descriptor* type : {service->method(m)->input_type(),
                                       service->method(m)->output_type()}) {
      for (int round = 0; round < 20; ++round) {
        std::unique_ptr<pb::Message> message(
            factory->GetPrototype(type)->New());
        if (round > 0)
          filler.Fill(message.get(), 0);  // round 0: every field at its default
        std::string theirs;
        REQUIRE(pb::util::MessageToJsonString(*message, &theirs, print).ok());
        const std::string ours = ProtoJson(*message);
        INFO(type->full_name()
             << "\nours:   " << ours << "\ntheirs: " << theirs);
        CHECK(pb::util::MessageDifferencer::Equals(Tree(ours), Tree(theirs)));
        // And it reads back as the same message.
        std::unique_ptr<pb::Message> back(factory->GetPrototype(type)->New());
        REQUIRE(pb::util::JsonStringToMessage(ours, back.get()).ok());
        CHECK(pb::util::MessageDifferencer::Equals(*back, *message));
        ++compared;
      }
    }
  }
  CHECK(compared > 500);
}

TEST_CASE("AppendJsonString keeps text inert in a page") {
  std::string out;
  AppendJsonString("<script>alert(\"x\")</script>&\xE2\x80\xA8\x01", &out);
  CHECK(out ==
        "\"\\u003cscript\\u003ealert(\\\"x\\\")\\u003c/"
        "script\\u003e\\u0026\\u2028\\u0001\"");
}

}  // namespace
}  // namespace ntmis

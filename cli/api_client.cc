// JSON <-> admin.proto over HttpClient, and API errors; the contract is in
// cli/api_client.h.
#include "cli/api_client.h"

#include <google/protobuf/util/json_util.h>

#include "arbor/admin.pb.h"

namespace arbor::cli {

namespace pb = google::protobuf;

namespace {

std::string HintFor(int status, const std::string& code, const std::string& message) {
  if (status == 401) return "pass the admin token with --token or ARBOR_TOKEN";
  if (status == 423) {
    return "a protected branch moves only by merges; 'arbor branch unprotect NAME' lifts that";
  }
  if (status == 404 && message.rfind("no such route", 0) == 0) {
    return "is --server an arbord admin API of a matching version?";
  }
  return "";
}

bool IsUnreserved(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

std::string PercentEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (IsUnreserved(c)) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace

std::string Seg(std::string_view segment) {
  return "/" + PercentEncode(segment);
}

std::string Query(const std::vector<std::pair<std::string, std::string>>& params) {
  std::string out;
  for (const auto& [k, v] : params) {
    if (v.empty()) continue;
    out += out.empty() ? "?" : "&";
    out += PercentEncode(k) + "=" + PercentEncode(v);
  }
  return out;
}

void ParseJson(std::string_view json, pb::Message* out, std::string_view what) {
  pb::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  auto status =
      pb::util::JsonStringToMessage(pb::StringPiece(json.data(), json.size()), out, options);
  if (!status.ok()) {
    throw CliError("cannot read " + std::string(what) + ": " + std::string(status.message()));
  }
}

std::string ToJson(const pb::Message& message) {
  pb::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  options.add_whitespace = true;
  std::string out;
  auto status = pb::util::MessageToJsonString(message, &out, options);
  if (!status.ok()) throw CliError("cannot render JSON: " + std::string(status.message()));
  if (out.empty() || out.back() != '\n') out += '\n';
  return out;
}

void ApiClient::Call(std::string_view method, const std::string& path, const pb::Message* request,
                     pb::Message* response) const {
  std::string body;
  if (request != nullptr) {
    pb::util::JsonPrintOptions options;
    options.preserve_proto_field_names = true;
    auto status = pb::util::MessageToJsonString(*request, &body, options);
    if (!status.ok()) throw CliError("cannot encode the request: " + std::string(status.message()));
  }
  std::vector<std::pair<std::string, std::string>> headers;
  if (!token_.empty()) headers.emplace_back("Authorization", "Bearer " + token_);
  HttpResponseData answer = http_->Send(method, "/api/v1" + path, body, headers);

  if (answer.status >= 200 && answer.status < 300) {
    if (response != nullptr && answer.status != 204) {
      ParseJson(answer.body, response,
                "the server's answer to " + std::string(method) + " " + path);
    }
    return;
  }
  admin::Error error;
  pb::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  bool shaped = answer.content_type.find("json") != std::string::npos &&
                pb::util::JsonStringToMessage(answer.body, &error, options).ok() &&
                !error.message().empty();
  if (!shaped) {
    std::string snippet = answer.body.substr(0, 200);
    while (!snippet.empty() && (snippet.back() == '\n' || snippet.back() == '\r'))
      snippet.pop_back();
    std::string message = "HTTP " + std::to_string(answer.status) + " " + answer.reason + " from " +
                          ServerUrlText(http_->url()) + " for " + std::string(method) + " " + path +
                          (snippet.empty() ? "" : ": " + snippet);
    throw ApiError(answer.status, "", message, "{}", HintFor(answer.status, "", ""));
  }
  std::string details = "{}";
  if (error.has_details()) {
    pb::util::JsonPrintOptions print;
    print.preserve_proto_field_names = true;
    details.clear();
    if (!pb::util::MessageToJsonString(error.details(), &details, print).ok()) details = "{}";
  }
  throw ApiError(answer.status, error.code(), error.message(), details,
                 HintFor(answer.status, error.code(), error.message()));
}

}  // namespace arbor::cli

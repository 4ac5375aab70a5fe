// The JavaScript face of sg_io: argument checks, one AsyncWorker per operation, Node-style errors.
// Context-aware: everything per-environment lives in instance data, so the addon loads in workers.
// The surface is documented in docs/native.md.
#include <napi.h>

#include <fcntl.h>

#include <cerrno>
#include <cmath>
#include <memory>
#include <string>
#include <utility>
#include <variant>

#include "edc_ecc.h"
#include "sg_io.h"

namespace discrescue {
namespace {

// The largest positive int32; sg_io_hdr.timeout is an unsigned int of milliseconds.
constexpr double kMaxTimeoutMs = 2147483647.0;

// Marks the External that hands an opened descriptor to the Device constructor, so that script
// cannot construct a Device around a descriptor of its choosing.
constexpr napi_type_tag kDeviceInitTag = {0x6469736372657363ULL, 0x75652d6465766963ULL};

struct AddonData {
  Napi::FunctionReference deviceConstructor;
};

struct DeviceInit {
  std::string path;
  bool exclusive = false;
  sg::OpenedDevice* opened = nullptr;
};

std::string quotedPath(const std::string& path) { return "'" + path + "'"; }

// Node's own errno messages say what failed; these say what to do.
std::string hintFor(const sg::SystemError& error) {
  if (!error.hint.empty()) return error.hint;
  switch (error.errnum) {
    case EACCES:
      return "add your user to the \"cdrom\" group (then log in again)";
    case EPERM:
      return error.syscall == "ioctl"
                 ? "the kernel filters this command: it needs a writable descriptor or CAP_SYS_RAWIO"
                 : "add your user to the \"cdrom\" group (then log in again)";
    case EBUSY:
      return "the disc is mounted or in use by another program; unmount it or close that program";
    case ENOTTY:
      return error.detail.empty() ? "not a SCSI device" : "";
    case ENOMEDIUM:
      return "no disc in the drive";
    default:
      return "";
  }
}

// An Error shaped like Node's system errors: code, errno (negative), syscall, path.
Napi::Error systemErrorValue(Napi::Env env, const sg::SystemError& error, const std::string& path) {
  const char* code = sg::errnoName(error.errnum);
  const std::string description = error.detail.empty() ? sg::errnoDescription(error.errnum) : error.detail;
  std::string message = std::string(code) + ": " + description + ", " + error.syscall + " " + quotedPath(path);
  const std::string hint = hintFor(error);
  if (!hint.empty()) message += "; " + hint;
  Napi::Error value = Napi::Error::New(env, message);
  value.Set("code", Napi::String::New(env, code));
  value.Set("errno", Napi::Number::New(env, -error.errnum));
  value.Set("syscall", Napi::String::New(env, error.syscall));
  value.Set("path", Napi::String::New(env, path));
  return value;
}

Napi::Error closedError(Napi::Env env, const std::string& path) {
  Napi::Error value = Napi::Error::New(env, path + ": the device is closed");
  value.Set("code", Napi::String::New(env, "ERR_TRANSPORT_CLOSED"));
  value.Set("path", Napi::String::New(env, path));
  return value;
}

bool isUint8Array(const Napi::Value& value) {
  return value.IsTypedArray() && value.As<Napi::TypedArray>().TypedArrayType() == napi_uint8_array;
}

bool isAbsent(const Napi::Value& value) { return value.IsUndefined() || value.IsNull(); }

// Integer in [min, max], else RangeError; not a number, else TypeError.
double integerArgument(const Napi::Value& value, const char* name, double min, double max) {
  const auto expectation = [&] {
    return std::string("Expected \"") + name + "\" to be an integer from " +
           std::to_string(static_cast<long long>(min)) + " to " + std::to_string(static_cast<long long>(max));
  };
  if (!value.IsNumber()) throw Napi::TypeError::New(value.Env(), expectation());
  const double number = value.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(number) || std::trunc(number) != number || number < min || number > max) {
    throw Napi::RangeError::New(value.Env(), expectation());
  }
  return number;
}

class Device final : public Napi::ObjectWrap<Device> {
 public:
  static Napi::Function DefineClass(Napi::Env env) {
    return ObjectWrap<Device>::DefineClass(
        env, "Device",
        {
            InstanceMethod("execute", &Device::Execute),
            InstanceMethod("close", &Device::Close),
            InstanceAccessor("path", &Device::GetPath, nullptr),
            InstanceAccessor("writable", &Device::GetWritable, nullptr),
            InstanceAccessor("exclusive", &Device::GetExclusive, nullptr),
            InstanceAccessor("maxTransferBytes", &Device::GetMaxTransferBytes, nullptr),
            InstanceAccessor("closed", &Device::GetClosed, nullptr),
            InstanceAccessor("kind", &Device::GetKind, nullptr),
        });
  }

  // Wraps a freshly opened descriptor; the Device owns it from here on.
  static Napi::Object Create(Napi::Env env, const std::string& path, bool exclusive, sg::OpenedDevice& opened) {
    DeviceInit init{path, exclusive, &opened};
    Napi::External<DeviceInit> token = Napi::External<DeviceInit>::New(env, &init);
    token.TypeTag(&kDeviceInitTag);
    return env.GetInstanceData<AddonData>()->deviceConstructor.New({token});
  }

  explicit Device(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Device>(info) {
    const Napi::Value token = info[0];
    if (!token.IsExternal() || !token.As<Napi::External<DeviceInit>>().CheckTypeTag(&kDeviceInitTag)) {
      throw Napi::TypeError::New(info.Env(), "Device cannot be constructed directly; use open(path)");
    }
    DeviceInit* init = token.As<Napi::External<DeviceInit>>().Data();
    path_ = init->path;
    exclusive_ = init->exclusive;
    writable_ = init->opened->writable;
    kind_ = init->opened->kind;
    maxTransferBytes_ = init->opened->maxTransferBytes;
    fd_ = std::exchange(init->opened->fd, -1);
  }

  ~Device() override { sg::closeDevice(fd_); }

  Device(const Device&) = delete;
  Device& operator=(const Device&) = delete;

 private:
  Napi::Value Execute(const Napi::CallbackInfo& info);

  void Close(const Napi::CallbackInfo&) {
    // A command in flight holds its own duplicate, so the drive is released when it completes.
    sg::closeDevice(std::exchange(fd_, -1));
  }

  void RequireOpen(Napi::Env env) const {
    if (fd_ < 0) throw closedError(env, path_);
  }

  Napi::Value GetPath(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), path_); }
  Napi::Value GetClosed(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), fd_ < 0); }
  Napi::Value GetWritable(const Napi::CallbackInfo& info) {
    RequireOpen(info.Env());
    return Napi::Boolean::New(info.Env(), writable_);
  }
  Napi::Value GetExclusive(const Napi::CallbackInfo& info) {
    RequireOpen(info.Env());
    return Napi::Boolean::New(info.Env(), exclusive_);
  }
  Napi::Value GetMaxTransferBytes(const Napi::CallbackInfo& info) {
    RequireOpen(info.Env());
    return Napi::Number::New(info.Env(), maxTransferBytes_);
  }
  Napi::Value GetKind(const Napi::CallbackInfo& info) {
    RequireOpen(info.Env());
    return Napi::String::New(info.Env(), kind_ == sg::Kind::Block ? "block" : "sg");
  }

  std::string path_;
  bool exclusive_ = false;
  bool writable_ = false;
  sg::Kind kind_ = sg::Kind::Sg;
  std::uint32_t maxTransferBytes_ = 0;
  int fd_ = -1;
};

class OpenWorker final : public Napi::AsyncWorker {
 public:
  OpenWorker(Napi::Env env, sg::OpenRequest request)
      : Napi::AsyncWorker(env, "discrescue.open"),
        deferred_(Napi::Promise::Deferred::New(env)),
        request_(std::move(request)) {}

  // Closes a descriptor nobody took over (the environment went away before OnOK).
  ~OpenWorker() override {
    if (auto* opened = std::get_if<sg::OpenedDevice>(&result_)) sg::closeDevice(opened->fd);
  }

  OpenWorker(const OpenWorker&) = delete;
  OpenWorker& operator=(const OpenWorker&) = delete;

  Napi::Promise Promise() const { return deferred_.Promise(); }

 protected:
  void Execute() override { result_ = sg::openDevice(request_); }

  void OnOK() override {
    Napi::Env env = Env();
    if (const auto* error = std::get_if<sg::SystemError>(&result_)) {
      deferred_.Reject(systemErrorValue(env, *error, request_.path).Value());
      return;
    }
    try {
      deferred_.Resolve(Device::Create(env, request_.path, request_.exclusive, std::get<sg::OpenedDevice>(result_)));
    } catch (const Napi::Error& error) {
      deferred_.Reject(error.Value());
    }
  }

 private:
  Napi::Promise::Deferred deferred_;
  sg::OpenRequest request_;
  // Starts as an OpenedDevice with fd −1, so the destructor has nothing to close.
  sg::OpenResult result_;
};

class ExecuteWorker final : public Napi::AsyncWorker {
 public:
  ExecuteWorker(Napi::Env env, int fd, std::string path, sg::ExecuteRequest request)
      : Napi::AsyncWorker(env, "discrescue.execute"),
        deferred_(Napi::Promise::Deferred::New(env)),
        fd_(fd),
        path_(std::move(path)),
        request_(std::move(request)) {}

  ~ExecuteWorker() override { sg::closeDevice(fd_); }

  ExecuteWorker(const ExecuteWorker&) = delete;
  ExecuteWorker& operator=(const ExecuteWorker&) = delete;

  Napi::Promise Promise() const { return deferred_.Promise(); }

 protected:
  void Execute() override {
    result_ = sg::execute(fd_, std::move(request_));
    // Release the duplicate at once: after Device.close() it is what keeps the drive open.
    sg::closeDevice(std::exchange(fd_, -1));
  }

  void OnOK() override {
    Napi::Env env = Env();
    if (const auto* error = std::get_if<sg::SystemError>(&result_)) {
      deferred_.Reject(systemErrorValue(env, *error, path_).Value());
      return;
    }
    const auto& completion = std::get<sg::Completion>(result_);
    Napi::Object value = Napi::Object::New(env);
    value.Set("status", Napi::Number::New(env, completion.status));
    value.Set("sense", Napi::Buffer<std::uint8_t>::Copy(env, completion.sense.data(), completion.sense.size()));
    value.Set("data", Napi::Buffer<std::uint8_t>::Copy(env, completion.dataIn.data(), completion.dataIn.size()));
    value.Set("residual", Napi::Number::New(env, completion.residual));
    value.Set("hostStatus", Napi::Number::New(env, completion.hostStatus));
    value.Set("driverStatus", Napi::Number::New(env, completion.driverStatus));
    value.Set("durationMs", Napi::Number::New(env, completion.durationMs));
    value.Set("info", Napi::Number::New(env, completion.info));
    deferred_.Resolve(value);
  }

 private:
  Napi::Promise::Deferred deferred_;
  int fd_;
  std::string path_;
  sg::ExecuteRequest request_;
  sg::ExecuteResult result_;
};

Napi::Value Device::Execute(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  RequireOpen(env);
  sg::ExecuteRequest request;

  const Napi::Value cdb = info[0];
  if (!isUint8Array(cdb)) throw Napi::TypeError::New(env, "Expected \"cdb\" to be a Uint8Array");
  const auto cdbBytes = cdb.As<Napi::Uint8Array>();
  const std::size_t cdbLength = cdbBytes.ElementLength();
  if (cdbLength < sg::kMinCdbBytes || cdbLength > sg::kMaxCdbBytes) {
    throw Napi::RangeError::New(env, "Expected \"cdb\" to be 6 to 16 bytes long, got " + std::to_string(cdbLength));
  }
  request.cdb.assign(cdbBytes.Data(), cdbBytes.Data() + cdbLength);

  const Napi::Value direction = info[1];
  const std::string directionName = direction.IsString() ? direction.As<Napi::String>().Utf8Value() : "";
  if (directionName == "none") {
    request.direction = sg::Direction::None;
  } else if (directionName == "in") {
    request.direction = sg::Direction::FromDevice;
  } else if (directionName == "out") {
    request.direction = sg::Direction::ToDevice;
  } else {
    throw Napi::TypeError::New(env, "Expected \"direction\" to be 'none', 'in' or 'out'");
  }

  const Napi::Value data = info[2];
  const auto maxData = static_cast<double>(sg::kMaxDataBytes);
  switch (request.direction) {
    case sg::Direction::None:
      if (!isAbsent(data)) throw Napi::TypeError::New(env, "Expected no data for direction 'none'");
      break;
    case sg::Direction::FromDevice:
      if (isAbsent(data)) throw Napi::TypeError::New(env, "Expected \"dataLength\" for direction 'in'");
      request.dataInLength = static_cast<std::size_t>(integerArgument(data, "dataLength", 0, maxData));
      break;
    case sg::Direction::ToDevice: {
      if (!isUint8Array(data)) {
        throw Napi::TypeError::New(env, "Expected \"data\" to be a Uint8Array for direction 'out'");
      }
      const auto bytes = data.As<Napi::Uint8Array>();
      if (bytes.ElementLength() > sg::kMaxDataBytes) {
        throw Napi::RangeError::New(env,
                                    "Expected \"data\" to be at most " + std::to_string(sg::kMaxDataBytes) + " bytes");
      }
      request.dataOut.assign(bytes.Data(), bytes.Data() + bytes.ElementLength());
      break;
    }
  }

  request.timeoutMs = static_cast<std::uint32_t>(integerArgument(info[3], "timeoutMs", 1, kMaxTimeoutMs));

  // Each command gets its own descriptor so that close() never pulls one out from under it.
  const int fd = ::fcntl(fd_, F_DUPFD_CLOEXEC, 0);
  if (fd < 0) {
    const sg::SystemError error{errno, "fcntl", "", ""};
    auto deferred = Napi::Promise::Deferred::New(env);
    deferred.Reject(systemErrorValue(env, error, path_).Value());
    return deferred.Promise();
  }
  auto worker = std::make_unique<ExecuteWorker>(env, fd, path_, std::move(request));
  Napi::Promise promise = worker->Promise();
  worker.release()->Queue();  // the worker deletes itself when done
  return promise;
}

Napi::Value OpenWith(const Napi::CallbackInfo& info, bool requireScsi) {
  Napi::Env env = info.Env();
  const Napi::Value path = info[0];
  if (!path.IsString()) throw Napi::TypeError::New(env, "Expected \"path\" to be a non-empty string");
  sg::OpenRequest request;
  request.path = path.As<Napi::String>().Utf8Value();
  if (request.path.empty()) throw Napi::TypeError::New(env, "Expected \"path\" to be a non-empty string");
  if (request.path.find('\0') != std::string::npos) {
    throw Napi::TypeError::New(env, "Expected \"path\" to be a string without null bytes");
  }

  const Napi::Value options = info[1];
  if (!isAbsent(options)) {
    if (!options.IsObject() || options.IsArray() || options.IsFunction()) {
      throw Napi::TypeError::New(env, "Expected \"options\" to be an object");
    }
    const Napi::Object object = options.As<Napi::Object>();
    const Napi::Value exclusive = object.Get("exclusive");
    if (!exclusive.IsUndefined()) {
      if (!exclusive.IsBoolean()) throw Napi::TypeError::New(env, "Expected \"exclusive\" to be a boolean");
      request.exclusive = exclusive.As<Napi::Boolean>().Value();
    }
    const Napi::Value writable = object.Get("writable");
    if (writable.IsBoolean()) {
      request.access = writable.As<Napi::Boolean>().Value() ? sg::Access::ReadWrite : sg::Access::ReadOnly;
    } else if (writable.IsUndefined() || (writable.IsString() && writable.As<Napi::String>().Utf8Value() == "auto")) {
      request.access = sg::Access::Auto;
    } else {
      throw Napi::TypeError::New(env, "Expected \"writable\" to be a boolean or 'auto'");
    }
  }

  request.requireScsi = requireScsi;
  auto worker = std::make_unique<OpenWorker>(env, std::move(request));
  Napi::Promise promise = worker->Promise();
  worker.release()->Queue();
  return promise;
}

Napi::Value Open(const Napi::CallbackInfo& info) { return OpenWith(info, true); }

#ifdef DISCRESCUE_TESTING
// Test build only (test/native/testing-addon.ts): wraps any char or block node, such as /dev/null,
// so execute(), close() and the getters can be exercised on a machine without a drive.
Napi::Value OpenUnchecked(const Napi::CallbackInfo& info) { return OpenWith(info, false); }
#endif

// edcEccVerify(data, count, firstLba, mode, out): synchronous; the hot loop of lib/cd/verify-raw.ts
// (native/edc_ecc.cc). Writes one result code per sector into the Uint16Array `out`.
Napi::Value EdcEccVerify(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!isUint8Array(info[0])) throw Napi::TypeError::New(env, "Expected \"data\" to be a Uint8Array");
  const auto data = info[0].As<Napi::Uint8Array>();
  auto integer = [&](std::size_t i, const char* name, double min, double max) {
    const Napi::Value value = info[i];
    if (!value.IsNumber()) throw Napi::TypeError::New(env, std::string("Expected \"") + name + "\" to be a number");
    const double number = value.As<Napi::Number>().DoubleValue();
    if (!(number >= min && number <= max) || std::trunc(number) != number) {
      throw Napi::RangeError::New(env, std::string("Expected \"") + name + "\" to be an integer in range");
    }
    return number;
  };
  const double maxCount = static_cast<double>(data.ByteLength() / edc_ecc::kSectorBytes);
  const auto count = static_cast<std::size_t>(integer(1, "count", 0, maxCount));
  const auto firstLba = static_cast<std::int64_t>(integer(2, "firstLba", -2147483648.0, 2147483647.0));
  const int mode = static_cast<int>(integer(3, "mode", 0, 2));
  const Napi::Value outValue = info[4];
  if (!outValue.IsTypedArray() || outValue.As<Napi::TypedArray>().TypedArrayType() != napi_uint16_array) {
    throw Napi::TypeError::New(env, "Expected \"out\" to be a Uint16Array");
  }
  auto out = outValue.As<Napi::Uint16Array>();
  if (out.ElementLength() < count) throw Napi::RangeError::New(env, "Expected \"out\" to hold a code per sector");
  edc_ecc::VerifySectors(data.Data(), count, firstLba, mode, out.Data());
  return env.Undefined();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  auto data = std::make_unique<AddonData>();
  Napi::Function device = Device::DefineClass(env);
  data->deviceConstructor = Napi::Persistent(device);
  env.SetInstanceData<AddonData>(data.release());  // freed when this environment ends
  exports.Set("open", Napi::Function::New(env, Open, "open"));
  exports.Set("Device", device);
  exports.Set("edcEccVerify", Napi::Function::New(env, EdcEccVerify, "edcEccVerify"));
#ifdef DISCRESCUE_TESTING
  exports.Set("openUnchecked", Napi::Function::New(env, OpenUnchecked, "openUnchecked"));
#endif
  return exports;
}

}  // namespace
}  // namespace discrescue

namespace {
Napi::Object InitModule(Napi::Env env, Napi::Object exports) { return discrescue::Init(env, exports); }
}  // namespace

NODE_API_MODULE(discrescue, InitModule)

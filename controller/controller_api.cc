#include "controller/controller_api.h"

namespace lk {

bool ControllerApi::Reconcile(const std::string& name) {
  if (!c_.HasLab(name)) return false;
  c_.ReconcileNow(name);
  return true;
}

ApiBackend::Suspend ControllerApi::SetSuspended(const std::string& name, bool suspended) {
  switch (c_.SetSuspended(name, suspended)) {
    case Controller::SuspendResult::kNoSuchLab:
      return Suspend::kNoSuchLab;
    case Controller::SuspendResult::kSuspendedByFile:
      return Suspend::kSuspendedByFile;
    case Controller::SuspendResult::kNotSaved:
      return Suspend::kNotSaved;
    case Controller::SuspendResult::kOk:
      break;
  }
  return Suspend::kOk;
}

}  // namespace lk

// The live topology page on the controller's listener: GET / goes to /ui/, and /ui/... are the
// page's files, embedded in the binary (api/ui_assets.h). The files are the same for everyone and
// hold nothing of the labs; what the page shows it reads from the API, under the API's rules.
#pragma once

#include <optional>

#include "controller/http_api.h"

namespace lk {

// The answer to a request for the page, or nullopt when `req` is for something else.
std::optional<HttpResponse> ServeUi(const HttpRequest& req);

}  // namespace lk

// The host firewall rule a lab's Linux bridge needs: Docker sets the FORWARD policy to DROP,
// and with bridge netfilter on, frames between two ports of any bridge pass through it. As
// containerlab does, labkeeper accepts forwarding within its own bridges in DOCKER-USER.
#pragma once

#include <string>

#include "api/result.h"

namespace lk {

// Adds (once) "-i BRIDGE -o BRIDGE -j ACCEPT" to DOCKER-USER, commented with the lab.
// Without iptables or a DOCKER-USER chain there is nothing to open: Ok.
Status AllowBridgeForwarding(const std::string& lab, const std::string& bridge);
// Removes every rule carrying the lab's comment.
Status RemoveBridgeRules(const std::string& lab);

}  // namespace lk

// The kernel table in use. Each path's table is filled once, the first time it is needed;
// choosing a path swaps one pointer.
#pragma once

#include <string>

#include "quanta/kernels.h"

namespace quanta {

// The table of the active path. The first call chooses the path: QUANTA_ISA when set (and
// runnable), else the best the machine runs.
const KernelTable& kernels();
Isa active_isa();

// Why a path was refused, or "" when it is usable here.
std::string isa_unavailable_reason(Isa isa);
// Makes `isa` the active path; returns false (and changes nothing) when isa_unavailable_reason
// is not empty.
bool set_active_isa(Isa isa);

// The table of one path regardless of the active one (tests run every path through this).
// Must only be called with a usable path.
const KernelTable& kernels_for(Isa isa);

// The error raised at start-up when QUANTA_ISA names a path this machine cannot run, or ""
// when it was fine or unset.
const std::string& isa_environment_error();

}  // namespace quanta

/* event-commands.h — plugin:event|listen, unlisten, emit, emit_to.
 * They live in the core, not in plugins/, because a listener belongs to the
 * page that registered it, which only the router knows. */
#pragma once

#include "events.h"
#include "router.h"

void keel__event_commands_register (KeelRouter *router, KeelEventBus *bus);

/* keel.h — the one header a Keel app includes.
 *
 * A Keel app is a C program (the core process) that links libkeel and shows
 * one or more windows whose interface is a web page, each in its own
 * sandboxed WebKit web process. Pages reach the core only through commands
 * and events, which all pass through one router where the app can inspect,
 * refuse and rewrite them. See docs/architecture.md. */
#pragma once

#include <jansson.h>

#include "keel-error.h"
#include "keel-version.h"
#include "keel-app.h"
#include "keel-command.h"
#include "keel-channel.h"
#include "keel-events.h"
#include "keel-navigation.h"
#include "keel-sql.h"
#include "keel-store.h"
#include "keel-window.h"

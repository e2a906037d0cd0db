#include "keel/keel-error.h"

G_DEFINE_QUARK (keel-error-quark, keel_error)

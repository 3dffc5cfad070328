// Keeps the generated spec schema linked into the core library.
#include "wasmdeploy/spec/v1alpha1/spec.pb.h"

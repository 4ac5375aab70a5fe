#include "sg_io.h"

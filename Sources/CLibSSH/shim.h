#ifndef CUBICLE_CLIBSSH_SHIM_H
#define CUBICLE_CLIBSSH_SHIM_H
#include <libssh/libssh.h>
#include <libssh/callbacks.h>
#include <libssh/sftp.h>
#endif

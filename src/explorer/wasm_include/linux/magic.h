// For the explorer's WebAssembly build: the one Linux file-system magic number the file rules use
// (src/io/file_rules.cpp), as the kernel's <linux/magic.h> defines it. The browser has no procfs.
#pragma once
#define PROC_SUPER_MAGIC 0x9fa0

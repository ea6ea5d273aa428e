// What the loader reads besides the text it is given: a template's vars file and the nodes'
// env-files. The controller passes one over its host seam (Env), so every file a lab is built from
// is read the same way and the loop's tests need no disk; DiskFiles() reads the filesystem.
#pragma once

#include <string>

#include "api/result.h"

namespace lk {

class FileReader {
 public:
  virtual ~FileReader() = default;
  virtual bool Exists(const std::string& path) = 0;
  // At most `limit` bytes of the file. What is not a regular file is an error and never opened
  // (a FIFO would block the reader, a device could be anything).
  virtual Result<std::string> Read(const std::string& path, size_t limit) = 0;
};

// The filesystem, through ReadRegularFile.
FileReader& DiskFiles();

// At most `limit` bytes of a regular file (std::string::npos: all of it), or why not.
Result<std::string> ReadRegularFile(const std::string& path, size_t limit);

}  // namespace lk

#include <tmpctl/tmpctl.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

int main() {
  auto file = tmpctl::TempFile::create({.prefix = "report.", .suffix = ".csv"});
  if (!file) {  // e.g. "cannot create file in '/x': Permission denied (errno 13, EACCES)"
    std::fprintf(stderr, "%s\n", tmpctl::to_string(file.error()).c_str());
    return 1;
  }
  // file->handle() is an open int fd (a HANDLE on Windows) until close();
  // keep() closes it and gives the file up: it stays on disk, ours to remove.
  if (auto kept = file->keep(); !kept) {
    std::fprintf(stderr, "%s\n", tmpctl::to_string(kept.error()).c_str());
    return 1;
  }
  const std::string path = file->path();  // absolute, UTF-8
  std::ofstream out(std::filesystem::path(std::u8string(path.begin(), path.end())));
  out << "name,bytes\nreport,42\n";
  out.close();
  if (!out) {
    std::fprintf(stderr, "cannot write to %s\n", path.c_str());
    return 1;
  }
  std::printf("wrote %s\n", path.c_str());

  // On a refusal the report says why, who holds the file and what to do.
  const tmpctl::RemoveReport report = tmpctl::remove(std::vector{path}).front();
  if (report.outcome != tmpctl::RemoveOutcome::removed) {
    if (report.error) std::fprintf(stderr, "%s\n", tmpctl::to_string(*report.error).c_str());
    for (const tmpctl::Holder& holder : report.holders)
      std::fprintf(stderr, "  held by process %u (%s)\n", unsigned{holder.pid},
                   holder.name.c_str());
    for (const tmpctl::Remedy& remedy : report.remedies)  // what to do, e.g. retry_later
      std::fprintf(stderr, "  remedy: %s\n", std::string(tmpctl::to_string(remedy.kind)).c_str());
    return 1;
  }
  std::printf("removed %s\n", path.c_str());
}

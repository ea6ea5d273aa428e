// The controller's lab bookkeeping: which files there are, what each holds (hash, inputs, the
// labs it defines), conflicts between files, and labs whose file went or no longer validates.
#include <set>

#include "api/strings.h"
#include "controller/controller.h"
#include "controller/lab_files.h"

namespace lk {

void Controller::Rescan() {
  std::lock_guard rescan(rescan_mu_);  // the watcher and the resync both rescan; one at a time
  FoundFiles files = FindLabFiles(env_, opts_.dir);
  for (const auto& [path, why] : files.unreadable) files.content[path] = why;  // present, so not "deleted"
  // Files are read and loaded outside mu_: a lab built from many or slow files keeps no reader
  // of the status waiting. A file is loaded again when it or any file it was built from changed.
  std::map<std::string, std::vector<std::string>> known_inputs;
  std::map<std::string, std::string> known_hash;
  {
    std::lock_guard lock(mu_);
    known_inputs = file_inputs_;
    known_hash = file_hash_;
  }
  Loaded loaded = LoadChanged(env_, files, std::move(known_inputs), std::move(known_hash));
  std::map<std::string, FileRevision> revs;
  if (opts_.revisions) revs = opts_.revisions->Of(files.content);  // git, outside mu_
  std::vector<std::string> touched;
  bool changed = !loaded.empty() || !revs.empty();  // else the status stays as written (a resync's rescan)
  {
    std::lock_guard lock(mu_);
    size_t errors = manifest_errors_.size();
    ForgetGoneFiles(files.content, &touched);
    for (auto& [path, hash_load] : loaded)
      TakeFile(path, std::move(hash_load.first), std::move(hash_load.second), files.content, &touched);
    TakeRevisions(revs, &touched);
    vni_claims_.reset();  // the labs here may have changed
    changed = changed || !touched.empty() || manifest_errors_.size() != errors;
  }
  for (const auto& lab : touched) ReconcileNow(lab);  // a changed file is a look
  if (changed) WriteStatus();
}

void Controller::ForgetGoneFiles(const std::map<std::string, std::string>& found, std::vector<std::string>* touched) {
  // Files that went: their labs are pruned (or kept, with prune: false).
  for (auto it = file_hash_.begin(); it != file_hash_.end();) {
    if (found.count(it->first)) {
      ++it;
      continue;
    }
    for (const auto& lab : file_labs_[it->first]) {
      auto rec = labs_.find(lab);
      if (rec != labs_.end() && rec->second.file == it->first) {
        rec->second.deleted = true;
        touched->push_back(lab);
      }
    }
    file_labs_.erase(it->first);
    file_inputs_.erase(it->first);
    manifest_errors_.erase(it->first);
    it = file_hash_.erase(it);
  }
}

void Controller::TakeRevisions(const std::map<std::string, FileRevision>& revs, std::vector<std::string>* touched) {
  std::optional<GitSource::State> fetched;
  if (opts_.source_state) fetched = opts_.source_state();
  for (auto& [name, rec] : labs_) {
    auto it = revs.find(rec.file);
    FileRevision now = it == revs.end() ? FileRevision{} : it->second;
    if (!(now == rec.source)) {
      // A new commit of the same content is applied all the same: the next pass records it.
      if (now.revision != rec.source.revision) touched->push_back(name);
      rec.source = now;
    }
    if (fetched) SetCondition(&rec, "SourceFetched", fetched->ok, fetched->reason, fetched->message);
  }
}

void Controller::StallFileLabs(const std::string& path, const FileLoad& load, std::vector<std::string>* touched) {
  // Last known good stays; the lab is Stalled until the file is fixed.
  std::vector<std::string> names = load.names.empty() ? file_labs_[path] : load.names;
  for (const auto& name : names) {
    auto& rec = labs_[name];
    if (!rec.file.empty() && rec.file != path && !rec.deleted) continue;  // someone else's lab
    rec.file = path;
    rec.stalled = load.ErrorText();
    touched->push_back(name);
  }
  manifest_errors_[path] = load.ErrorText();
  log_("file " + path + " is invalid; its labs keep their last good state:\n" + load.ErrorText());
}

void Controller::TakeFile(const std::string& path, std::string hash, FileLoad load,
                          const std::map<std::string, std::string>& found, std::vector<std::string>* touched) {
  file_hash_[path] = std::move(hash);
  file_inputs_[path] = load.inputs;
  if (!load.ok()) return StallFileLabs(path, load, touched);
  std::set<std::string> now;
  std::string conflicts;
  for (auto& lab : load.labs) {
    auto existing = labs_.find(lab.name);
    if (existing != labs_.end() && existing->second.file != path && !existing->second.deleted &&
        !existing->second.file.empty() && found.count(existing->second.file)) {
      conflicts += path + ": lab " + lab.name + " is already defined in " + existing->second.file + "\n";
      continue;
    }
    now.insert(lab.name);
    auto& rec = labs_[lab.name];
    rec.file = path;
    rec.stalled.clear();
    rec.deleted = false;
    rec.spec = std::move(lab);
    touched->push_back(rec.spec->name);
  }
  for (const auto& old : file_labs_[path])
    if (!now.count(old) && labs_.count(old) && labs_[old].file == path) {
      labs_[old].deleted = true;
      touched->push_back(old);
    }
  file_labs_[path] = std::vector<std::string>(now.begin(), now.end());
  if (conflicts.empty())
    manifest_errors_.erase(path);
  else
    manifest_errors_[path] = conflicts;
}

}  // namespace lk

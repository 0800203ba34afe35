#include "constants.h"

namespace mmapkit {

void InitConstants(Napi::Env env, Napi::Object exports) {
  Napi::Object protection = Napi::Object::New(env);
  protection.Set("none", PROT_NONE);
  protection.Set("read", PROT_READ);
  protection.Set("write", PROT_WRITE);
  protection.Set("exec", PROT_EXEC);

  Napi::Object map = Napi::Object::New(env);
  map.Set("shared", MAP_SHARED);
  map.Set("private", MAP_PRIVATE);
  map.Set("anonymous", MAP_ANONYMOUS);
  map.Set("populate", MAP_POPULATE);
  map.Set("noReserve", MAP_NORESERVE);
  map.Set("hugeTlb", MAP_HUGETLB);

  Napi::Object sync = Napi::Object::New(env);
  sync.Set("sync", MS_SYNC);
  sync.Set("async", MS_ASYNC);
  sync.Set("invalidate", MS_INVALIDATE);

  // Keys are the names of core's Advice and UncheckedAdvice values.
  Napi::Object advice = Napi::Object::New(env);
  advice.Set("normal", MADV_NORMAL);
  advice.Set("random", MADV_RANDOM);
  advice.Set("sequential", MADV_SEQUENTIAL);
  advice.Set("willneed", MADV_WILLNEED);
  advice.Set("hugepage", MADV_HUGEPAGE);
  advice.Set("nohugepage", MADV_NOHUGEPAGE);
  advice.Set("dontfork", MADV_DONTFORK);
  advice.Set("dofork", MADV_DOFORK);
  advice.Set("dontdump", MADV_DONTDUMP);
  advice.Set("dodump", MADV_DODUMP);
  advice.Set("populate-read", MADV_POPULATE_READ);
  advice.Set("populate-write", MADV_POPULATE_WRITE);
  advice.Set("cold", MADV_COLD);
  advice.Set("pageout", MADV_PAGEOUT);
  advice.Set("dontneed", MADV_DONTNEED);
  advice.Set("free", MADV_FREE);
  advice.Set("remove", MADV_REMOVE);

  Napi::Object constants = Napi::Object::New(env);
  constants.Set("protection", protection);
  constants.Set("map", map);
  constants.Set("sync", sync);
  constants.Set("advice", advice);
  constants.Set("pageSize", static_cast<double>(sysconf(_SC_PAGESIZE)));
  exports.Set("constants", constants);
}

}  // namespace mmapkit

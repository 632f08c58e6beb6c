# SQLite 3: the program database. Debian package: libsqlite3-dev.
find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
  pkg_check_modules(SQLITE3 QUIET IMPORTED_TARGET sqlite3)
endif()
if(NOT SQLITE3_FOUND)
  message(FATAL_ERROR "kcut needs SQLite 3 headers and library: apt-get install libsqlite3-dev pkg-config "
                      "(or run scripts/deps.sh)")
endif()
add_library(kc::sqlite3 ALIAS PkgConfig::SQLITE3)
message(STATUS "kcut: sqlite3 ${SQLITE3_VERSION}")

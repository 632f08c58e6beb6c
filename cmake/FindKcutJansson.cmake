# Jansson: reads compile_commands.json and writes JSON output (line/column on parse errors).
# Debian package: libjansson-dev.
find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
  pkg_check_modules(JANSSON QUIET IMPORTED_TARGET jansson)
endif()
if(NOT JANSSON_FOUND)
  message(FATAL_ERROR "kcut needs Jansson: apt-get install libjansson-dev pkg-config (or run scripts/deps.sh)")
endif()
add_library(kc::jansson ALIAS PkgConfig::JANSSON)
message(STATUS "kcut: jansson ${JANSSON_VERSION}")

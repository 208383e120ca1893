# Helpers shared by every module's CMakeLists.txt.

# pdaos_unit_tests(DIR <dir> LIBS <libs...> [TIMEOUT <sec>])
# Every <dir>/test_*.c becomes one cmocka executable and one ctest test named
# <module>_<file>, so a module adds a test by adding a file.
function(pdaos_unit_tests)
	cmake_parse_arguments(UT "" "DIR;PREFIX;TIMEOUT" "LIBS;SOURCES" ${ARGN})
	if(NOT UT_TIMEOUT)
		set(UT_TIMEOUT 120)
	endif()
	file(GLOB tests CONFIGURE_DEPENDS ${UT_DIR}/test_*.c)
	foreach(src ${tests})
		get_filename_component(name ${src} NAME_WE)
		set(target ${UT_PREFIX}_${name})
		add_executable(${target} ${src} ${UT_SOURCES})
		target_link_libraries(${target} PRIVATE ${UT_LIBS} PkgConfig::CMOCKA
				      Threads::Threads)
		add_test(NAME ${target} COMMAND ${target})
		set_tests_properties(${target} PROPERTIES TIMEOUT ${UT_TIMEOUT} LABELS unit)
	endforeach()
endfunction()

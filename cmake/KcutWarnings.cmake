# Every target we build uses -Wall -Wextra -Werror. Code written in Linux style (the test drivers) may add
# -Wno-unused-parameter on its own targets, as the kernel's own build does not use -Wextra.
add_compile_options(-Wall -Wextra -Werror)

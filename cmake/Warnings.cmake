function(wd_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
                         $<$<BOOL:${WD_WERROR}>:-Werror>)
endfunction()

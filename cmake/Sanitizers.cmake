# WD_SANITIZE=address,undefined | thread : applied to every target in the tree.
if(WD_SANITIZE)
  add_compile_options(-fsanitize=${WD_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${WD_SANITIZE})
endif()

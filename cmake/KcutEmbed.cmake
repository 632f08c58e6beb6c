# kc_embed_text(FILE SYMBOL OUT_VAR): compile a text file into the build as `const char SYMBOL[]`.
# Sets OUT_VAR to the generated .c file, to be listed among a target's sources; regenerated when FILE
# changes. Used for analyzer/schema.sql and the emitter's header templates.
function(kc_embed_text file sym out_var)
  get_filename_component(_name ${file} NAME)
  string(REPLACE "." "_" _name ${_name})
  set(_out ${CMAKE_CURRENT_BINARY_DIR}/${_name}.c)
  add_custom_command(
    OUTPUT ${_out}
    COMMAND ${CMAKE_COMMAND} -DIN=${CMAKE_CURRENT_SOURCE_DIR}/${file} -DOUT=${_out} -DSYM=${sym}
            -P ${CMAKE_SOURCE_DIR}/cmake/EmbedText.cmake
    DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/${file} ${CMAKE_SOURCE_DIR}/cmake/EmbedText.cmake
    COMMENT "Embedding ${file} as ${sym}")
  set(${out_var} ${_out} PARENT_SCOPE)
endfunction()

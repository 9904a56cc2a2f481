# Assembles the explorer page (README, "The explorer") at build time:
#   cmake -DOUTPUT=explorer.html -DTEMPLATE=explorer.html -DSTYLE=explorer.css -DSCRIPT=explorer.js
#         -DPLOT_LIBRARY=uPlot.iife.min.js -DPLOT_STYLE=uPlot.min.css -DMODULE=citsim_explorer.js
#         -DPRESETS="a.toml|b.toml" -DVERSION=0.1.0 -P assemble_explorer.cmake
# Every {{NAME}} of the template is replaced by its file, inline. The teaching presets of the 0D
# and 1D levels go in as text elements (the 2D and 3D ones take minutes: not for a live page).
cmake_minimum_required(VERSION 3.25)

function(read_checked var file)
  file(READ "${file}" text)
  string(TOLOWER "${text}" lower)
  foreach(bad "</script" "<!--")
    string(FIND "${lower}" "${bad}" at)
    if(NOT at EQUAL -1)
      message(FATAL_ERROR "assemble_explorer: ${file} contains '${bad}', which would break its <script> element")
    endif()
  endforeach()
  set(${var} "${text}" PARENT_SCOPE)
endfunction()

file(READ "${TEMPLATE}" page)
string(REPLACE "|" ";" PRESETS "${PRESETS}")
set(presets "")
foreach(preset ${PRESETS})
  read_checked(text "${preset}")
  if(text MATCHES "\nlevel *= *\"[23]d\"")
    continue()
  endif()
  get_filename_component(name "${preset}" NAME_WLE)
  set(title "${name}")
  if(text MATCHES "# Preset: ([^\n]*)")
    set(title "${CMAKE_MATCH_1}")
    string(REGEX REPLACE " *\\(compare [^)]*\\)$" "" title "${title}")  # the page compares itself
  endif()
  foreach(pair "&;&amp;" "\";&quot;" "<;&lt;" ">;&gt;")
    list(GET pair 0 from)
    list(GET pair 1 to)
    string(REPLACE "${from}" "${to}" title "${title}")
  endforeach()
  string(APPEND presets "<script type=\"text/plain\" data-preset=\"${name}\" data-title=\"${title}\">${text}</script>\n")
endforeach()

foreach(part STYLE SCRIPT PLOT_LIBRARY PLOT_STYLE MODULE)
  read_checked(text "${${part}}")
  string(FIND "${page}" "{{${part}}}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "assemble_explorer: ${TEMPLATE} has no {{${part}}}")
  endif()
  string(REPLACE "{{${part}}}" "${text}" page "${page}")
endforeach()
string(REPLACE "{{PRESETS}}" "${presets}" page "${page}")
string(REPLACE "{{VERSION}}" "${VERSION}" page "${page}")
file(WRITE "${OUTPUT}.tmp" "${page}")
file(RENAME "${OUTPUT}.tmp" "${OUTPUT}")

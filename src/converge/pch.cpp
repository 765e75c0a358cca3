// The translation unit that builds the libraries' shared precompiled header
// (src/converge/CMakeLists.txt: converge_pch).

#include "io/hdf5_calls.h"

namespace lathe::io {

std::string hdf5_error_detail() {
  std::string innermost;
  H5Ewalk2(
      H5E_DEFAULT, H5E_WALK_UPWARD,
      [](unsigned depth, const H5E_error2_t* error, void* out) -> herr_t {
        if (depth == 0 && error->desc != nullptr) *static_cast<std::string*>(out) = error->desc;
        return 0;
      },
      &innermost);
  return innermost.empty() ? "" : " (HDF5: " + innermost + ")";
}

Hdf5Handle text_type() {
  Hdf5Handle type = own(H5Tcopy(H5T_C_S1), H5Tclose, "cannot create an HDF5 string type");
  check(H5Tset_size(type.get(), H5T_VARIABLE), "cannot make an HDF5 string type variable-length");
  check(H5Tset_cset(type.get(), H5T_CSET_UTF8), "cannot make an HDF5 string type UTF-8");
  return type;
}

}  // namespace lathe::io

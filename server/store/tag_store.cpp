#include "server/store/tag_store.hpp"

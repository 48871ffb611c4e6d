#pragma once
/// \file
/// Everything a C++ user of tmpctl's core library needs.

#include <tmpctl/cleanup.hpp>
#include <tmpctl/error.hpp>
#include <tmpctl/flags.hpp>
#include <tmpctl/handle.hpp>
#include <tmpctl/holders.hpp>
#include <tmpctl/records.hpp>
#include <tmpctl/remove.hpp>
#include <tmpctl/retry.hpp>
#include <tmpctl/temp_file.hpp>
#include <tmpctl/terminate.hpp>
#include <tmpctl/version.hpp>

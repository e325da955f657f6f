#define BOOST_TEST_MODULE infer
#include <boost/test/unit_test.hpp>

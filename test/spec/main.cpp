#define BOOST_TEST_MODULE spec
#include <boost/test/unit_test.hpp>

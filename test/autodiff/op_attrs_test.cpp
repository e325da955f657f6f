// Typed op attributes on tape nodes: what an op stores is what its backward
// reads, a node never hands out another op's attributes, and a reused node
// forgets the attributes of the op that held it before.
#include <boost/test/unit_test.hpp>

#include "atrank/autodiff/ops/elementwise.hpp"
#include "atrank/autodiff/ops/layout.hpp"
#include "atrank/autodiff/op_attrs.hpp"
#include "test/autodiff/op_test_util.hpp"

using namespace atrank;
using namespace atrank::autodiff;

namespace {

struct Flags {
  bool a, b;
};
struct Step {
  std::int64_t step;
  double weight;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(op_attrs)

BOOST_AUTO_TEST_CASE(stores_one_struct_and_checks_its_type) {
  OpAttrs attrs;
  BOOST_CHECK_THROW(attrs.get<Flags>(), std::logic_error);  // nothing stored yet
  attrs.set(Flags{true, false});
  BOOST_TEST(attrs.get<Flags>().a);
  BOOST_TEST(!attrs.get<Flags>().b);
  BOOST_CHECK_THROW(attrs.get<Step>(), std::logic_error);
  attrs.set(Step{7, 0.25});  // replaces the flags
  BOOST_TEST(attrs.get<Step>().step == 7);
  BOOST_TEST(attrs.get<Step>().weight == 0.25);
  BOOST_CHECK_THROW(attrs.get<Flags>(), std::logic_error);
  attrs.clear();
  BOOST_CHECK_THROW(attrs.get<Step>(), std::logic_error);
}

BOOST_AUTO_TEST_CASE(reused_node_forgets_the_previous_op) {
  Tape<double> t;
  const double x[6] = {1, 2, 3, 4, 5, 6};
  Var s = slice(t, t.constant({2, 3}, x), 1, 1, 2);  // node 1 holds the slice's attributes
  BOOST_TEST(t.size() == 2);
  BOOST_TEST(std::string(t.node(s).op) == "slice");
  t.clear();
  Var c = t.constant({2, 3}, x);
  Var e = autodiff::exp(t, c);  // node 1 again: exp records no attributes
  BOOST_TEST(e.id == s.id);
  BOOST_TEST(std::string(t.node(e).op) == "exp");
  BOOST_CHECK_THROW(t.node(e).attrs.get<Step>(), std::logic_error);
}

BOOST_AUTO_TEST_SUITE_END()

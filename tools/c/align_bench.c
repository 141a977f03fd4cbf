/* Elementwise loop over 2 threads with the output 16 bytes past a 64-byte line (as NumPy's data):
 * each thread's piece as is, against pieces cut at whole lines with the vector loop started at the
 * first aligned element (what the kernels' _piece loops do); paired ratios, median and quartiles.
 *   gcc -O3 -fno-math-errno -fno-trapping-math -ffp-contract=off -march=x86-64-v4 -mprefer-vector-width=512 \
 *       -fopenmp -I<python include> -Icact [-DBODY='cact_gelu_tanh_f32(x[j])'] tools/c/align_bench.c \
 *       -o /tmp/ab -lm && /tmp/ab 100000 [offset in floats, default 4] */
#include <Python.h>
#include "_math.h"
#include <omp.h>
#include <time.h>
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+1e-9*t.tv_nsec;}
#ifndef BODY
#define BODY cact_sigmoid_f32(x[j])
#endif
__attribute__((noinline)) void s1(const float*x,float*y,long n){for(long j=0;j<n;j++) y[j]=BODY;}
static int cmp(const void*a,const void*b){double d=*(double*)a-*(double*)b; return d<0?-1:d>0;}
/* split points rounded so every piece but the first starts 64-byte aligned in y; first piece peeled */
static inline long cut(const float*y,long n,int t,int nt){ if(t==0) return 0; if(t==nt) return n;
  long head=((64-((uintptr_t)y&63))&63)/4; long c=n*t/nt; c=head+((c-head)/16)*16; return c<n?c:n;}
int main(int argc,char**argv){
  long n=atol(argv[1]); int off=argc>2?atoi(argv[2]):4; float*x=(float*)aligned_alloc(64,4*n+64)+off,*y=(float*)aligned_alloc(64,4*n+64)+off;
  for(long i=0;i<n;i++) x[i]=((float)rand()/RAND_MAX-0.5f)*12;
  int R=n>=1000000?300:3000; double *m[2]; for(int k=0;k<2;k++) m[k]=malloc(8*R);
  for(int r=0;r<R;r++){ double t,a;
    t=now();
    #pragma omp parallel
    { int tt=omp_get_thread_num(), nt=omp_get_num_threads(); long lo=n*tt/nt, hi=n*(tt+1)/nt; s1(x+lo,y+lo,hi-lo);}
    a=now()-t; m[0][r]=a;
    t=now();
    #pragma omp parallel
    { int tt=omp_get_thread_num(), nt=omp_get_num_threads(); long lo=cut(y,n,tt,nt), hi=cut(y,n,tt+1,nt);
      long h=tt==0?((64-((uintptr_t)y&63))&63)/4:0; if(h>hi-lo)h=hi-lo; s1(x+lo,y+lo,h); s1(x+lo+h,y+lo+h,hi-lo-h);}
    m[1][r]=(now()-t)/a;
  }
  for(int k=0;k<2;k++) qsort(m[k],R,8,cmp);
  printf("n=%ld off %d: plain median %.1f us; aligned/plain paired median %.3f (q25 %.3f q75 %.3f)\n",n,off,m[0][R/2]*1e6,m[1][R/2],m[1][R/4],m[1][3*R/4]);
}
